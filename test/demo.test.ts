// `npm run demo` as a newcomer runs it: every step exits 0, the cache hit asks the IdP nothing, and
// nothing is left behind (temp HOME, servers' children, the login helper) — also after Ctrl-C.
// `npm run demo -- --all` adds IAM (device flow, dynamic registration), a Cozystack tenant and,
// when Debian's keystone is installed, Keystone.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/cli.js';
import { requireKubectl } from './fixtures/kubectl.js';
import { keystoneAvailable } from './fixtures/keystone.js';

interface DemoRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** interruptWhen: Ctrl-C once stdout or stderr shows this. */
function runDemo(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; interruptWhen?: RegExp; killAfterMs?: number } = {},
): Promise<DemoRun> {
  return new Promise((done, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts', 'demo.ts'), ...args], {
      cwd: repoRoot,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    const interruptIfDue = () => {
      if (options.interruptWhen && !interrupted && options.interruptWhen.test(`${stdout}\n${stderr}`)) {
        interrupted = true;
        child.kill('SIGINT');
      }
    };
    child.stdout.on('data', (d) => {
      stdout += d;
      interruptIfDue();
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      interruptIfDue();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 120_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stdout, stderr });
    });
  });
}

function demoHome(stdout: string): string {
  const home = /temp HOME (\S+)/.exec(stdout)?.[1];
  assert.ok(home, 'the demo says which temp HOME it uses');
  return home;
}

/** PIDs of processes (on Linux) whose command line or environment mentions the demo's HOME. */
function processesUsing(home: string): string[] {
  if (process.platform !== 'linux') return [];
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      const seen = readFileSync(`/proc/${pid}/environ`, 'latin1') + readFileSync(`/proc/${pid}/cmdline`, 'latin1');
      if (seen.includes(home)) found.push(`${pid}: ${readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ')}`);
    } catch {
      // gone, or not ours to read
    }
  }
  return found;
}

/** The `(title: exit N, T ms)` lines the demo prints after each command. */
function stepExits(stdout: string): Map<string, number> {
  const exits = new Map<string, number>();
  // eslint-disable-next-line no-control-regex
  for (const m of stdout.replace(/\x1b\[[0-9;]*m/g, '').matchAll(/^\((.+): exit (\d+|null), \d+ ms\)$/gm)) exits.set(m[1]!, Number(m[2]));
  return exits;
}

test('npm run demo: every step succeeds and nothing is left behind', { timeout: 150_000 }, async (t) => {
  if (!requireKubectl(t)) return;
  const r = await runDemo([]);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const exits = stepExits(r.stdout);
  for (const step of ['setup-context oidc', 'first kubectl', 'second kubectl', 'cache list', 'cache reset', 'kubectl after reset']) {
    assert.equal(exits.get(step), 0, `step "${step}" ran and exited 0`);
  }
  assert.ok(
    [...exits.values()].every((code) => code === 0),
    'no step failed',
  );
  assert.match(r.stdout, /^\$ kubecred setup-context oidc --context demo-oidc /m, 'commands are shown as a person types them');
  assert.match(r.stdout, /IdP token requests during the second command: 0/, 'the second kubectl is a cache hit');
  assert.match(r.stdout, /IdP token requests: 1, browser logins: 0/, 'after cache reset: one refresh, no browser');
  assert.match(r.stderr, /demo browser: logged in as alice/);
  const home = demoHome(r.stdout);
  assert.equal(existsSync(home), false, 'the temp HOME is removed');
  assert.deepEqual(processesUsing(home), [], 'no process of the demo is left');
});

test(
  'npm run demo -- --all: IAM, tenant (and Keystone when installed) succeed too; nothing is left behind, not even in TMPDIR',
  { timeout: 420_000 },
  async (t) => {
    if (!requireKubectl(t)) return;
    // Its own TMPDIR: every temp dir the demo, its servers and its children make must be gone after.
    const tmp = mkdtempSync(join(tmpdir(), 'kubecred-demo-all-'));
    t.after(() => rmSync(tmp, { recursive: true, force: true }));
    const r = await runDemo(['--all'], { env: { ...process.env, TMPDIR: tmp }, killAfterMs: 400_000 });
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const exits = stepExits(r.stdout);
    const keystone = keystoneAvailable();
    for (const step of [
      'setup-context oidc',
      'first kubectl',
      'second kubectl',
      ...(keystone ? ['setup-context keystone', 'kubectl (keystone)', 'kubectl after reset (keystone)'] : []),
      'setup-context iam',
      'first kubectl (iam)',
      'second kubectl (iam)',
      'kubectl config set-cluster',
      'kubectl config set-credentials',
      'kubectl config set-context',
      'fetch-kubeconfig',
      'kubectl (fetched kubeconfig)',
      'setup-context tenant',
      'kubectl (tenant)',
      'whoami demo-oidc',
      'whoami demo-iam',
      'whoami demo-tenant',
      ...(keystone ? ['whoami demo-keystone'] : []),
      'cache list',
      'cache reset',
      'kubectl after reset (oidc)',
      'kubectl after reset (iam)',
      'kubectl after reset (tenant)',
    ]) {
      assert.equal(exits.get(step), 0, `step "${step}" ran and exited 0`);
    }
    assert.ok(
      [...exits.values()].every((code) => code === 0),
      'no step failed',
    );
    if (!keystone) assert.match(r.stdout, /skipped: Debian's keystone is not installed: add it with `apt-get install keystone`/);
    assert.doesNotMatch(r.stdout, /still to be written/);

    // IAM: one registration, one device login; kubectl then needs no IAM request; after reset one refresh.
    assert.match(
      r.stdout,
      /^\$ kubecred setup-context iam --context demo-iam --server \S+ --certificate-authority iam-cluster-ca\.crt --issuer-url http:\/\/127\.0\.0\.1:\d+\/ --audience cloudveneto-k8s /m,
    );
    assert.match(r.stdout, /clients registered at the IAM: 1, device logins: 1/);
    assert.match(r.stdout, /IAM token requests during the second command: 0/);
    assert.match(r.stdout, /IAM token requests: 1, device logins: 0/, 'after cache reset: one refresh, no device login');
    assert.match(r.stderr, /visit http:\/\/127\.0\.0\.1:\d+\/device and enter the code/);

    // Tenant: fetch-kubeconfig --merge gives a working context; setup-context tenant reads the Secret once, and again after reset.
    assert.match(r.stdout, /^\$ kubecred fetch-kubeconfig --management-context cozy --tenant demo --cluster dev --merge$/m);
    assert.match(r.stdout, /^\$ kubectl --context demo-dev get --raw \/version\n\{"major":"1"/m);
    assert.match(
      r.stdout,
      /^\$ kubecred setup-context tenant --context demo-tenant --management-context cozy --tenant demo --cluster dev$/m,
    );
    assert.match(r.stdout, /Secret reads during the kubectl command: 0/);
    assert.match(r.stdout, /Secret reads at the management cluster: 1/);

    const home = demoHome(r.stdout);
    assert.equal(existsSync(home), false, 'the temp HOME is removed');
    assert.deepEqual(processesUsing(home), [], 'no process of the demo is left');
    // tsx keeps its compile cache in TMPDIR on purpose; anything else is a leftover.
    assert.deepEqual(
      readdirSync(tmp).filter((n) => !n.startsWith('tsx-')),
      [],
      'no temp file or dir is left',
    );
  },
);

test('Ctrl-C in the middle of a login stops everything and removes the temp files', { timeout: 150_000 }, async (t) => {
  if (!requireKubectl(t)) return;
  // Interrupt while kubectl (and the kubecred it runs) are at work.
  const r = await runDemo([], { interruptWhen: /\$ kubectl get secrets/ });
  assert.equal(r.code, 130, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stderr, /interrupted/);
  const home = demoHome(r.stdout);
  assert.equal(existsSync(home), false, 'the temp HOME is removed');
  assert.deepEqual(processesUsing(home), [], 'no process of the demo is left');
});

test(
  'Ctrl-C while kubecred waits for the IAM device login (--only iam): everything stops, nothing is left',
  { timeout: 150_000 },
  async (t) => {
    if (!requireKubectl(t)) return;
    const tmp = mkdtempSync(join(tmpdir(), 'kubecred-demo-iam-'));
    t.after(() => rmSync(tmp, { recursive: true, force: true }));
    // kubecred has printed the code and polls the IdP (every 5 s: IAM sends no interval).
    const r = await runDemo(['--only', 'iam'], {
      env: { ...process.env, TMPDIR: tmp },
      interruptWhen: /visit http:\S+ and enter the code/,
    });
    assert.equal(r.code, 130, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stderr, /interrupted/);
    assert.doesNotMatch(r.stdout, /== tenant/, 'no later step started');
    const home = demoHome(r.stdout);
    assert.equal(existsSync(home), false, 'the temp HOME is removed');
    assert.deepEqual(processesUsing(home), [], 'no process of the demo is left');
    assert.deepEqual(
      readdirSync(tmp).filter((n) => !n.startsWith('tsx-')),
      [],
      'no temp file or dir is left',
    );
  },
);

test('a step that fails makes the demo exit 1, still cleaning up', { timeout: 150_000 }, async (t) => {
  const kubectl = requireKubectl(t);
  if (!kubectl) return;
  // A kubectl that answers `version` (so the demo finds it) and fails everything else.
  const dir = mkdtempSync(join(tmpdir(), 'kubecred-demo-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const broken = join(dir, 'kubectl');
  writeFileSync(
    broken,
    `#!/bin/sh\ncase "$1" in version) exec ${JSON.stringify(kubectl.path)} "$@";; esac\necho "broken kubectl" >&2\nexit 3\n`,
    { mode: 0o755 },
  );
  const r = await runDemo([], { env: { ...process.env, KUBECTL: broken } });
  assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /\(first kubectl: exit 3, \d+ ms\)/);
  assert.match(r.stderr, /demo: first kubectl failed \(exit 3\): kubectl get secrets/);
  const home = demoHome(r.stdout);
  assert.equal(existsSync(home), false, 'the temp HOME is removed');
  assert.deepEqual(processesUsing(home), [], 'no process of the demo is left');
});

test('without kubectl the demo says how to install it and stops', { timeout: 60_000 }, async () => {
  const env = { ...process.env, PATH: '/nonexistent', KUBECTL: '' };
  const r = await runDemo([], { env });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /kubectl not found: install it \(Debian: apt-get install kubernetes-client/);
  assert.doesNotMatch(r.stdout, /temp HOME/, 'nothing was started');
});

test('an unknown demo option is a usage error', { timeout: 60_000 }, async () => {
  const r = await runDemo(['--al']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown option --al; usage: npm run demo/);
  const step = await runDemo(['--only', 'iam,tenat']);
  assert.equal(step.code, 2);
  assert.match(step.stderr, /--only wants step names \(oidc, keystone, iam, tenant\), not "tenat"/);
  assert.doesNotMatch(step.stdout, /temp HOME/, 'nothing was started');
});
