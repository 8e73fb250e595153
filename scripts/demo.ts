// `npm run demo`: kubecred's main job end to end on this machine, no external service: local
// servers (the test fixtures), `kubecred setup-context`, and the real kubectl logging in through it.
// `npm run demo -- --all` tours every provider this machine can run; `--browser` logs in with the
// real browser instead of the demo's login helper; `--only iam,tenant` runs just those steps (then the
// tour). Each provider is one step in scripts/demo/.
import { findKubectl } from '../test/fixtures/kubectl.js';
import { DemoSession, StepFailed, type DemoStep } from './demo/session.js';
import { commandExists } from './demo/commands.js';
import { oidcStep } from './demo/oidc.js';
import { keystoneStep } from './demo/keystone.js';
import { iamStep } from './demo/iam.js';
import { tenantStep } from './demo/tenant.js';

const steps: DemoStep[] = [oidcStep, keystoneStep, iamStep, tenantStep];

const USAGE = `usage: npm run demo [-- --all | --only ${steps.map((s) => s.name).join(',')}] [-- --browser]`;
function usageError(message: string): never {
  console.error(`demo: ${message}; ${USAGE}`);
  process.exit(2);
}
const flags = new Set<string>();
let only: string[] | undefined;
for (let i = 2; i < process.argv.length; i++) {
  const arg = process.argv[i]!;
  if (arg === '--all' || arg === '--browser') flags.add(arg);
  else if (arg === '--only' || arg.startsWith('--only='))
    only = (arg === '--only' ? (process.argv[++i] ?? '') : arg.slice('--only='.length)).split(',');
  else usageError(`unknown option ${arg}`);
}
const all = flags.has('--all');
if (all && only) usageError('--all and --only exclude each other');
const unknownStep = only?.find((name) => !steps.some((s) => s.name === name));
if (unknownStep !== undefined) usageError(`--only wants step names (${steps.map((s) => s.name).join(', ')}), not "${unknownStep}"`);
const chosen = (step: DemoStep) => (only ? only.includes(step.name) : all || step.inDefault);

const kubectl = findKubectl();
if (!kubectl) {
  console.error(
    'demo: kubectl not found: install it (Debian: apt-get install kubernetes-client, or set KUBECTL=/path/to/kubectl) and run npm run demo again',
  );
  process.exit(1);
}

const session = new DemoSession(kubectl, { realBrowser: flags.has('--browser') });
let interrupted = false;
for (const [signal, code] of [
  ['SIGINT', 130],
  ['SIGTERM', 143],
] as const) {
  process.once(signal, () => {
    interrupted = true;
    process.stderr.write('\ndemo: interrupted: stopping servers and removing temp files…\n');
    void session.cleanup().then(() => process.exit(code));
  });
}

/** After the provider steps: what a person looks at next, then the cache cleared and a new login. */
async function tour(s: DemoSession): Promise<void> {
  s.say('who am I, for each context');
  if (await commandExists(['whoami'])) {
    for (const c of s.contexts) await s.kubecred(`whoami ${c.name}`, ['whoami', '--context', c.name]);
  } else {
    s.note('(skipped: this kubecred has no whoami command yet)');
  }
  s.say('what is cached (never the token itself)');
  await s.kubecred('cache list', ['cache', 'list']);
  s.say('clear the token cache: refresh tokens and application credentials stay in the secret store');
  await s.kubecred('cache reset', ['cache', 'reset', '--all']);
  s.say('the next kubectl command gets a new token by itself: no password, no browser');
  for (const c of s.contexts) {
    const before = c.activity?.() ?? {};
    await s.kubectlRun(s.contexts.length === 1 ? 'kubectl after reset' : `kubectl after reset (${c.provider})`, [
      '--context',
      c.name,
      'get',
      'secrets',
    ]);
    const after = c.activity?.() ?? {};
    s.note(
      Object.keys(after)
        .map((k) => `${k}: ${(after[k] ?? 0) - (before[k] ?? 0)}`)
        .join(', '),
    );
  }
}

let failed = false;
try {
  const started = Date.now();
  session.note(`kubecred demo: kubectl ${kubectl.gitVersion} (${kubectl.path}), temp HOME ${session.home}`);
  for (const step of steps) {
    if (!chosen(step)) continue;
    session.say(`${step.name}: ${step.title}`);
    const why = await step.unavailable();
    if (why) {
      session.note(`skipped: ${why}`);
      continue;
    }
    await step.run(session);
  }
  if (session.contexts.length > 0) await tour(session);
  session.say(
    `done in ${((Date.now() - started) / 1000).toFixed(1)} s: ${session.contexts.map((c) => c.name).join(', ')} set up, kubectl logged in once each and served from the cache`,
  );
  if (!all && !only) session.note('more providers: npm run demo -- --all');
} catch (err) {
  failed = true;
  if (!interrupted) process.stderr.write(`\ndemo: ${err instanceof StepFailed ? err.message : ((err as Error).stack ?? err)}\n`);
} finally {
  if (!interrupted) await session.cleanup();
}
if (!interrupted) process.exit(failed ? 1 : 0);
