// Provider modules: one interface per provider, setup-context generated from the flag tables,
// credentials that work whatever their lifetime, `~` in path flags, layers pointing down only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parse } from 'yaml';
import { providerModules } from '../src/providers/registry.js';
import { setupTable } from '../src/usecases/setup-flags.js';
import { parseFlags } from '../src/exec/flags.js';
import { cacheKey } from '../src/store/cache-key.js';
import { writeEntry } from '../src/store/token-cache.js';
import { marginFor } from '../src/exec/exec-credential.js';
import { expandHome } from '../src/exec/paths.js';
import { requireKubectl } from './fixtures/kubectl.js';
import { isolatedHome, repoRoot, runKubecred, type RunResult } from './helpers/cli.js';
import { SECRET_VALUE, startOidcRig } from './helpers/oidc/rig.js';

/**
 * get-token flags that setup-context deliberately does not write into the exec args. Anything
 * else a provider's get-token takes must be a setup-context flag of the same name: add a flag to
 * get-token and this test fails until setup-context takes it too (or it is denied here, with a reason
 * in its FlagSpec).
 */
const NOT_WRITTEN_AT_SETUP: Record<string, string[]> = {
  oidc: ['client-secret', 'password', 'force-refresh', 'verbose'],
  keystone: ['application-credential-secret', 'password', 'force-refresh', 'verbose'],
  iam: ['force-refresh', 'verbose'],
  tenant: ['force-refresh', 'verbose'],
};

test('flag parity: every get-token flag is a setup-context flag of the same name, written into the exec args', () => {
  for (const module of providerModules) {
    const table = setupTable(module);
    const notWritten = module.getTokenFlags.filter((f) => !f.ignored && !table.written.has(f.name)).map((f) => f.name);
    assert.deepEqual(
      notWritten.sort(),
      [...(NOT_WRITTEN_AT_SETUP[module.kind] ?? ['(no deny list for this provider)'])].sort(),
      `setup-context ${module.kind}`,
    );
    for (const flag of module.getTokenFlags.filter((f) => !f.ignored)) {
      const arg = flag.type === 'boolean' ? `--${flag.name}` : `--${flag.name}=x`;
      const { values } = parseFlags(table.all, [arg]);
      assert.notEqual(values[flag.name], undefined, `setup-context ${module.kind} parses ${arg}`);
      if (flag.setup === 'never') assert.ok(flag.setupRefusal, `--${flag.name} says why setup-context refuses it`);
    }
  }
});

test('the margin: --min-validity, or a quarter of the lifetime of a credential living less than twice that', () => {
  assert.equal(marginFor(60_000, 0, 3600_000), 60_000);
  assert.equal(marginFor(60_000, 0, 120_000), 60_000);
  assert.equal(marginFor(60_000, 0, 20_000), 5_000);
  assert.equal(marginFor(60_000, 0, 119_000), 29_750);
  assert.equal(marginFor(60_000, Number.NaN, 20_000), 60_000, 'an entry without obtainedAt keeps the flag');
});

test('~ and $HOME in path flags are expanded by the shared parser', () => {
  const env = { HOME: '/home/ada' };
  assert.equal(expandHome('~', env), '/home/ada');
  assert.equal(expandHome('~/x', env), '/home/ada/x');
  assert.equal(expandHome('$HOME/x', env), '/home/ada/x');
  assert.equal(expandHome('${HOME}/x', env), '/home/ada/x');
  assert.equal(expandHome('~bob/x', env), '~bob/x', 'another user’s home is not guessed');
  assert.equal(expandHome('/abs/~/x', env), '/abs/~/x');
  const oidc = providerModules.find((m) => m.kind === 'oidc')!;
  const { values } = parseFlags(
    oidc.getTokenFlags,
    ['--token-cache-dir=~/c', '--oidc-ca-file', '~/ca.pem', '--local-server-cert=$HOME/crt'],
    env,
  );
  assert.deepEqual(
    [values['token-cache-dir'], values['oidc-ca-file'], values['local-server-cert']],
    ['/home/ada/c', ['/home/ada/ca.pem'], '/home/ada/crt'],
  );
  const plain = parseFlags(oidc.getTokenFlags, ['--client-id=~x', '--issuer-url=https://i/~me'], env).values;
  assert.deepEqual([plain['client-id'], plain['issuer-url']], ['~x', 'https://i/~me'], 'only path flags are expanded');
});

test('~ in --token-cache-dir: the fast path and the full CLI read the same dir and key, nothing named ~ appears', async () => {
  const { home, env } = isolatedHome('kubecred-tilde-');
  const oidc = providerModules.find((m) => m.kind === 'oidc')!;
  const args = ['--issuer-url=https://idp.example', '--client-id=k8s', '--token-cache-dir=~/tc'];
  const identity = oidc.identity(parseFlags(oidc.getTokenFlags, args, env).values);
  const now = Date.now();
  writeEntry(join(home, 'tc'), cacheKey(identity), {
    v: 1,
    provider: 'oidc',
    identity,
    storage: 'disk',
    credential: { token: 'tilde-token' },
    obtainedAt: new Date(now - 3600_000).toISOString(),
    expiresAt: new Date(now + 3600_000).toISOString(),
  });
  const first = await runKubecred(['get-token', 'oidc', ...args], { env });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(JSON.parse(first.stdout).status.token, 'tilde-token');
  // The fast path looks for its hit record in the same expanded dir.
  assert.equal(readdirSync(join(home, 'tc')).filter((n) => n.endsWith('.hit')).length, 1);
  const fast = await runKubecred(['get-token', 'oidc', ...args], { env });
  assert.equal(fast.stdout, first.stdout);
  // -v always takes the full CLI: the same entry must be found there.
  const full = await runKubecred(['get-token', 'oidc', ...args, '-v'], { env });
  assert.equal(full.code, 0, full.stderr);
  assert.equal(JSON.parse(full.stdout).status.token, 'tilde-token');
  assert.match(full.stderr, /cache hit/);
  assert.equal(existsSync(join(repoRoot, '~')), false);
  assert.equal(existsSync(join(home, '~')), false);
});

test('setup-context expands ~ in path flags before writing them', async () => {
  const { home, env } = isolatedHome('kubecred-tilde-setup-');
  const r = await runKubecred(
    [
      'setup-context',
      'oidc',
      '--context',
      'c',
      '--server',
      'https://127.0.0.1:6443',
      '--issuer-url',
      'https://idp.example',
      '--client-id',
      'k',
      '--token-cache-dir=~/tc',
      '--oidc-ca-file',
      '~/idp-ca.pem',
      '--kubeconfig',
      '~/kc',
    ],
    { env },
  );
  assert.equal(r.code, 0, r.stderr);
  const exec = parse(readFileSync(join(home, 'kc'), 'utf8')).users[0].user.exec;
  assert.ok(exec.args.includes(`--token-cache-dir=${join(home, 'tc')}`), exec.args.join(' '));
  assert.ok(exec.args.includes(`--oidc-ca-file=${join(home, 'idp-ca.pem')}`), exec.args.join(' '));
});

function runDummyCli(args: string[], env: Record<string, string>, input = ''): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'test/helpers/modules/dummy-cli.ts'), ...args], {
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: repoRoot,
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

test('a provider registered in a test-only registry gets setup-context, help, cache list and logout with no other file changed', async () => {
  const { home, env } = isolatedHome('kubecred-dummy-');
  const help = await runDummyCli(['setup-context', 'dummy', '--help'], env);
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /set up a context served by the dummy issuer/);
  assert.match(help.stdout, /--realm <value>/);
  assert.match(help.stdout, /--secret-stdin .*setup only/);
  assert.match(help.stdout, /--server <value>/);
  assert.doesNotMatch(help.stdout, /--dummy-secret/, 'a refused flag is not offered');
  const gtHelp = await runDummyCli(['get-token', 'dummy', '--help'], env);
  assert.match(gtHelp.stdout, /get a credential from a dummy issuer/);

  const refused = await runDummyCli(
    ['setup-context', 'dummy', '--context', 'd', '--server', 'https://127.0.0.1:1', '--dummy-secret', 's'],
    env,
  );
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--dummy-secret is refused: pipe it into --secret-stdin/);

  const setup = await runDummyCli(
    [
      'setup-context',
      'dummy',
      '--context',
      'd',
      '--server',
      'https://127.0.0.1:1',
      '--exec-command',
      'kubecred',
      '--realm',
      'north',
      '--secret-stdin',
      '--min-validity=10s',
      '-v',
    ],
    env,
    'api-key-123\n',
  );
  assert.equal(setup.code, 0, setup.stderr);
  const exec = parse(readFileSync(env.KUBECONFIG!, 'utf8')).users[0].user.exec;
  assert.deepEqual(exec.args, ['get-token', 'dummy', '--realm=north', '--min-validity=10s'], '-v explains the setup and is not written');
  assert.match(setup.stdout, /token cached until/);
  assert.ok(!readFileSync(env.KUBECONFIG!, 'utf8').includes('api-key-123'));

  const list = await runDummyCli(['cache', 'list'], env);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /dummy\s+dora in realm north/);

  const secretsDir = join(home, '.kube', 'cache', 'kubecred', 'secrets');
  const stored = () =>
    readdirSync(secretsDir)
      .map((n) => n.replace(/^.*%2F/, ''))
      .sort();
  assert.deepEqual(stored(), ['api_key', 'session_token']);
  const out = await runDummyCli(['logout', '--context', 'd'], env);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /dummy: the api key is kept/);
  assert.match(out.stdout, /removed the cached token of context d/);
  assert.match(out.stdout, /removed the stored session token/);
  assert.deepEqual(stored(), ['api_key'], 'the session secret is forgotten, the configuration secret kept');
});

test('setup-context oidc takes the spellings users type: --min-validity=5s --token-cache-storage disk --token-cache-dir D; kubectl works', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const dir = join(rig.home, 'my-cache');
  const setup = await rig.kubecred([
    'setup-context',
    'oidc',
    '--context',
    'dev',
    '--server',
    rig.api.url,
    '--insecure-skip-tls-verify',
    '--use',
    '--issuer-url',
    rig.idp.issuer,
    '--client-id',
    rig.idp.publicClientId,
    '--listen-address',
    '127.0.0.1:0',
    '--browser-command',
    rig.browserCommand(),
    '--min-validity=5s',
    '--token-cache-storage',
    'disk',
    '--token-cache-dir',
    dir,
  ]);
  assert.equal(setup.code, 0, setup.stderr);
  const exec = parse(readFileSync(rig.kubeconfig, 'utf8')).users[0].user.exec;
  for (const arg of ['--min-validity=5s', '--token-cache-storage=disk', `--token-cache-dir=${dir}`])
    assert.ok(exec.args.includes(arg), `${arg} in ${exec.args.join(' ')}`);
  const r = await rig.readSecret();
  assert.equal(r.value, SECRET_VALUE, r.stderr);
  assert.equal(readdirSync(dir).filter((n) => n.endsWith('.json')).length, 1, 'cached in the chosen dir');
});

test('an IdP issuing 20 s ID tokens under the default --min-validity: login, then 5 kubectl runs in 10 s, at most 2 token requests', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startOidcRig({ idp: { ttl: { IdToken: 20 } } });
  t.after(() => rig.close());
  await rig.useArgs(rig.getTokenArgs(['--browser-command', rig.browserCommand()]));
  rig.idp.resetCounts();
  for (let i = 0; i < 5; i++) {
    const r = await rig.readSecret();
    assert.equal(r.value, SECRET_VALUE, `run ${i}: ${r.stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  assert.equal(rig.browserCalls(), 1, 'one browser login');
  assert.ok(rig.idp.counts.token <= 2, `IdP token requests: ${rig.idp.counts.token}`);
});

/** Layer ranks: a file may import from its own layer or a lower one, never a higher one. */
const RANK: Record<string, number> = {
  cli: 4,
  fastpath: 4,
  usecases: 3,
  providers: 2,
  store: 1,
  kubeconfig: 1,
  infra: 1,
  exec: 1,
  shared: 0,
};

test('layers point down only: providers, store, kubeconfig, infra and exec never import usecases or cli', () => {
  const src = join(repoRoot, 'src');
  const files = (readdirSync(src, { recursive: true }) as string[]).filter((f) => /\.(ts|cjs)$/.test(f));
  const violations: string[] = [];
  for (const file of files) {
    const layer = file.split(sep)[0]!;
    const text = readFileSync(join(src, file), 'utf8');
    for (const m of text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)) {
      const target = relative(src, join(src, file, '..', m[1]!)).split(sep)[0]!;
      if ((RANK[target] ?? 0) > (RANK[layer] ?? 0)) violations.push(`${file} imports ${m[1]}`);
    }
  }
  assert.deepEqual(violations, []);
});
