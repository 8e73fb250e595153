// `kubecred cache list|reset` and exit codes, through the built CLI in an isolated HOME.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { isolatedHome, runKubecred, kubecredBin } from './helpers/cli.js';
import { writeKubeconfig } from './fixtures/kubectl.js';
import { writeEntry } from '../src/store/token-cache.js';
import { cacheKey } from '../src/store/cache-key.js';
import { tokenFile } from '../src/store/paths.js';
import { providerModules } from '../src/providers/registry.js';

const identityRules = Object.fromEntries(providerModules.map((m) => [m.kind, { flags: m.getTokenFlags, identity: m.identity }]));
import { parseFlags } from '../src/exec/flags.js';

const oidcArgs = ['--issuer-url=https://idp.example/realms/cozy', '--client-id=kubernetes', '--extra-scope=groups'];
const keystoneArgs = ['--auth-url=https://keystone.example:5000/v3', '--username=alice', '--domain-name=cloudveneto', '--project-name=CMS'];

function seed(cacheDir: string, kind: 'oidc' | 'keystone', args: string[], label: string, expiresInMs: number): string {
  const rule = identityRules[kind]!;
  const identity = rule.identity(parseFlags(rule.flags, args).values);
  const key = cacheKey(identity);
  writeEntry(cacheDir, key, {
    v: 1,
    provider: kind,
    identity,
    label,
    storage: 'disk',
    expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
    obtainedAt: new Date().toISOString(),
    credential: { token: `secret-token-of-${label}` },
  });
  return key;
}

async function setup() {
  const { home, env } = isolatedHome();
  const cacheDir = join(env.KUBECACHEDIR!, 'kubecred');
  const oidcKey = seed(cacheDir, 'oidc', oidcArgs, 'alice', 3600_000);
  const ksKey = seed(cacheDir, 'keystone', keystoneArgs, 'bob', -60_000);
  await writeKubeconfig(env.KUBECONFIG!, {
    name: 'prod',
    server: 'https://127.0.0.1:6443',
    // Flags in another order than the cache was written with: the key must still match.
    user: { exec: { command: kubecredBin, args: ['get-token', 'oidc', ...[...oidcArgs].reverse()] } },
  });
  return { home, env, cacheDir, oidcKey, ksKey };
}

test('cache list shows key, provider, identity, expiry and storage, and never a token', async () => {
  const s = await setup();
  const table = await runKubecred(['cache', 'list'], { env: s.env });
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /^KEY\s+PROVIDER\s+IDENTITY\s+EXPIRES\s+STORAGE/m);
  assert.match(table.stdout, new RegExp(`${s.oidcKey.slice(0, 12)}\\s+oidc\\s+alice @ https://idp.example/realms/cozy`));
  assert.match(table.stdout, /keystone\s+bob @ https:\/\/keystone.example:5000\/v3 project CMS.*ago\)\s+disk/);
  assert.ok(!table.stdout.includes('secret-token-of'), 'tokens are never listed');
  const json = await runKubecred(['cache', 'list', '-o', 'json'], { env: s.env });
  const rows = JSON.parse(json.stdout) as Array<{ key: string; provider: string; expired: boolean; storage: string }>;
  assert.deepEqual(
    rows.map((r) => [r.key, r.provider, r.expired, r.storage]).sort(),
    [
      [s.ksKey, 'keystone', true, 'disk'],
      [s.oidcKey, 'oidc', false, 'disk'],
    ].sort(),
  );
  assert.ok(!json.stdout.includes('secret-token-of'));
});

test('cache reset --context resolves the context through its exec args to the key', async () => {
  const s = await setup();
  const r = await runKubecred(['cache', 'reset', '--context', 'prod'], { env: s.env });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, new RegExp(`removed the cached credential of context prod \\(key ${s.oidcKey.slice(0, 12)}`));
  assert.equal(existsSync(tokenFile(s.cacheDir, s.oidcKey)), false);
  assert.equal(existsSync(tokenFile(s.cacheDir, s.ksKey)), true, 'other entries stay');
  const again = await runKubecred(['cache', 'reset', '--context', 'prod'], { env: s.env });
  assert.equal(again.code, 0);
  assert.match(again.stderr, /had no cached credential.*nothing removed/);
  const all = await runKubecred(['cache', 'reset', '--all'], { env: s.env });
  assert.match(all.stderr, /removed 1 cached credential/);
  assert.equal(existsSync(tokenFile(s.cacheDir, s.ksKey)), false);
});

test('usage errors exit 2, runtime errors exit 1, each one line', async () => {
  const s = await setup();
  const cases: Array<[string[], number, RegExp]> = [
    [['cache', 'reset'], 2, /exactly one of --context NAME or --all/],
    [['cache', 'reset', '--context', 'prod', '--all'], 2, /exactly one/],
    [['cache', 'reset', '--context', 'nope'], 1, /nope/],
    [['get-token', 'oidc', ...oidcArgs, '--bogus'], 2, /unknown flag --bogus/],
    [['get-token', 'oidc', ...oidcArgs, '--min-validity=soon'], 2, /--min-validity takes a duration/],
    [['get-token', 'nosuch'], 2, /nosuch/],
    [['frobnicate'], 2, /frobnicate/],
  ];
  for (const [args, code, message] of cases) {
    const r = await runKubecred(args, { env: s.env });
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('(run with --help')).length,
      1,
      `one line: ${r.stderr}`,
    );
    assert.equal(r.stdout, '');
  }
  const bad = await runKubecred(['get-token', 'oidc', ...oidcArgs], {
    env: { ...s.env, KUBERNETES_EXEC_INFO: '{"apiVersion":"client.authentication.k8s.io/v2"}' },
  });
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /KUBERNETES_EXEC_INFO has apiVersion/);
  const help = await runKubecred(['get-token', 'oidc', '--help'], { env: s.env });
  assert.equal(help.code, 0);
  assert.match(help.stdout, /--issuer-url <value>.*also --oidc-issuer-url/);
});

test('kubectl runs kubectl-cred as a plugin: `kubectl cred cache list`', async (t) => {
  const { requireKubectl } = await import('./fixtures/kubectl.js');
  const { execFileSync } = await import('node:child_process');
  const kubectl = requireKubectl(t);
  if (!kubectl) return;
  const s = await setup();
  // What npm's bin linking does on install: a `kubectl-cred` command on PATH.
  const { mkdirSync, symlinkSync } = await import('node:fs');
  const binDir = join(s.home, 'bin');
  mkdirSync(binDir);
  symlinkSync(kubecredBin.replace('kubecred.cjs', 'kubectl-cred.cjs'), join(binDir, 'kubectl-cred'));
  // kubectl refuses flags before a plugin name, so no --kubeconfig here: KUBECONFIG is in env.
  const stdout = execFileSync(kubectl.path, ['cred', 'cache', 'list', '-o', 'json'], {
    env: { ...s.env, PATH: `${binDir}:${s.env.PATH}` },
    encoding: 'utf8',
  });
  const keys = (JSON.parse(stdout) as Array<{ key: string }>).map((row) => row.key).sort();
  assert.deepEqual(keys, [s.oidcKey, s.ksKey].sort());
});
