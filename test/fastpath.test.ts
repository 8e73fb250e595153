// The cache-hit path as kubectl runs it: the built bin/kubecred.cjs, alone in a temp dir (no
// node_modules, no dist/cli.cjs), proves that a hit needs nothing but itself.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/cli.js';
import { writeEntry, type CacheEntry } from '../src/store/token-cache.js';
import { cacheKey } from '../src/store/cache-key.js';
import { tokenFile } from '../src/store/paths.js';
import { providerModules } from '../src/providers/registry.js';

const identityRules = Object.fromEntries(providerModules.map((m) => [m.kind, { flags: m.getTokenFlags, identity: m.identity }]));
import { parseFlags } from '../src/exec/flags.js';

const V1 = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', spec: { interactive: false } });
const args = ['--issuer-url=https://idp.example/realms/cozy', '--client-id=kubernetes', '--extra-scope=groups,email'];
// The same identity spelled differently, as another kubeconfig might.
const otherSpelling = [
  '--oidc-extra-scope=email',
  '--oidc-extra-scope=groups',
  '--oidc-client-id',
  'kubernetes',
  '--oidc-issuer-url',
  'https://idp.example/realms/cozy/',
  '--skip-open-browser',
];

const roots: string[] = [];
after(() => {
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

function isolatedFastPath() {
  const root = mkdtempSync(join(tmpdir(), 'kubecred-fast-'));
  roots.push(root);
  mkdirSync(join(root, 'dist'));
  mkdirSync(join(root, 'bin'));
  for (const file of ['on-miss.cjs', 'compile-cache.cjs']) copyFileSync(join(repoRoot, 'dist', file), join(root, 'dist', file));
  copyFileSync(join(repoRoot, 'bin', 'kubecred.cjs'), join(root, 'bin', 'kubecred.cjs'));
  const cacheBase = join(root, 'cache');
  const identity = identityRules.oidc!.identity(parseFlags(identityRules.oidc!.flags, args).values);
  const key = cacheKey(identity);
  const dir = join(cacheBase, 'kubecred');
  const entry = (expiresAt: Date, token = 'cached-id-token'): CacheEntry => ({
    v: 1,
    provider: 'oidc',
    identity,
    storage: 'disk',
    expiresAt: expiresAt.toISOString(),
    // Obtained an hour ago: long-lived, so the margin is --min-validity itself (see marginFor).
    obtainedAt: new Date(Date.now() - 3600_000).toISOString(),
    credential: { token },
  });
  const run = (argv: string[], execInfo: string | null = V1) =>
    spawnSync(process.execPath, [join(root, 'bin', 'kubecred.cjs'), 'get-token', 'oidc', ...argv], {
      env: {
        PATH: process.env.PATH,
        HOME: root,
        KUBECACHEDIR: cacheBase,
        ...(execInfo === null ? {} : { KUBERNETES_EXEC_INFO: execInfo }),
      },
      encoding: 'utf8',
    });
  return { root, dir, key, entry, run };
}

test('a fresh entry is printed by the fast path alone, whatever the flag spelling', () => {
  const f = isolatedFastPath();
  const expires = new Date(Date.now() + 3600_000);
  writeEntry(f.dir, f.key, f.entry(expires));
  for (const argv of [args, otherSpelling]) {
    const r = f.run(argv);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'a hit is silent');
    const out = JSON.parse(r.stdout);
    assert.equal(out.apiVersion, 'client.authentication.k8s.io/v1');
    assert.equal(out.status.token, 'cached-id-token');
    const handedOut = Date.parse(out.status.expirationTimestamp);
    assert.ok(Math.abs(handedOut - (expires.getTime() - 60_000)) < 1000, 'kubectl is told to come back 60 s early');
  }
  const beta = f.run(args, JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', spec: {} }));
  assert.equal(JSON.parse(beta.stdout).apiVersion, 'client.authentication.k8s.io/v1beta1');
  const absent = f.run(args, null);
  assert.equal(JSON.parse(absent.stdout).apiVersion, 'client.authentication.k8s.io/v1beta1', 'no exec info → v1beta1');
});

test('--min-validity moves both the freshness check and the handed-out expiry', () => {
  const f = isolatedFastPath();
  writeEntry(f.dir, f.key, f.entry(new Date(Date.now() + 600_000)));
  const r = f.run([...args, '--min-validity=5m']);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.ok(Date.parse(out.status.expirationTimestamp) <= Date.now() + 300_000 + 1000);
  const miss = f.run([...args, '--min-validity=11m']);
  assert.notEqual(miss.status, 0, 'less than min-validity left is a miss');
  assert.match(miss.stderr, /cannot load .*(cli\.mjs|get-token[a-z-]*\.cjs)/, 'a miss goes to the get-token bundle or the full CLI');
});

test('expired, corrupt, symlinked entries and --force-refresh all go to the full CLI', () => {
  const f = isolatedFastPath();
  writeEntry(f.dir, f.key, f.entry(new Date(Date.now() + 30_000)));
  assert.match(f.run(args).stderr, /cannot load .*(cli\.mjs|get-token[a-z-]*\.cjs)/, 'within the 60 s margin');
  writeEntry(f.dir, f.key, f.entry(new Date(Date.now() + 3600_000)));
  assert.match(f.run([...args, '--force-refresh']).stderr, /cannot load/);
  assert.match(f.run([...args, '-v']).stderr, /cannot load/, 'verbose explains on the full path');
  assert.match(f.run([...args, '--token-cache-storage=keyring']).stderr, /cannot load/);
  assert.match(f.run([...args, '--no-such-flag']).stderr, /cannot load/, 'errors are the full CLI’s to word');
  writeFileSync(tokenFile(f.dir, f.key), '{"v":1,"storage":"disk","expiresAt":"2999-01-01T00:00:00Z","credential":{"tok');
  assert.match(f.run(args).stderr, /cannot load/, 'torn JSON');
  const elsewhere = join(f.root, 'planted.json');
  writeFileSync(elsewhere, JSON.stringify(f.entry(new Date(Date.now() + 3600_000), 'planted-token')));
  const target = tokenFile(f.dir, f.key);
  spawnSync('rm', ['-f', target]);
  symlinkSync(elsewhere, target);
  const r = f.run(args);
  assert.ok(!r.stdout.includes('planted-token'), 'a symlink in the cache dir is never followed');
  assert.equal(readFileSync(elsewhere, 'utf8').includes('planted-token'), true);
});

test('the fast-path bundle requires only node: built-ins and holds no import()', () => {
  const bundle = readFileSync(join(repoRoot, 'bin', 'kubecred.cjs'), 'utf8');
  const required = [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
  assert.ok(required.length > 0);
  assert.deepEqual(
    required.filter((r) => !r.startsWith('node:')),
    [],
  );
  assert.equal(/\bimport\(/.test(bundle), false);
  for (const heavy of ['commander', 'zod', 'openid-client', 'yaml', '@kubernetes/client-node', 'undici']) {
    assert.equal(bundle.includes(`"${heavy}"`), false, `${heavy} must not be in the fast path`);
  }
});
