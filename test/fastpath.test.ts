// The cache-hit path as kubectl runs it: the built bin/kubecred.cjs, alone in a temp dir (no
// node_modules, no dist/get-token.cjs), proves that a hit needs nothing but itself and one hit
// record; the repo's own bin (the full CLI) answers first and keeps that record.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubecredBin, repoRoot } from './helpers/cli.js';
import { removeEntry, writeEntry, type CacheEntry } from '../src/store/token-cache.js';
import { cacheKey } from '../src/store/cache-key.js';
import { hitRecordFile, invocationOf } from '../src/store/hit-record.js';
import { providerModules } from '../src/providers/registry.js';
import { parseFlags } from '../src/exec/flags.js';

const oidc = providerModules.find((m) => m.kind === 'oidc')!;
const V1 = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', spec: { interactive: false } });
const V1BETA1 = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1beta1', kind: 'ExecCredential', spec: {} });
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
const MISS = /cannot load .*get-token\.cjs/;

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
  const identity = oidc.identity(parseFlags(oidc.getTokenFlags, args).values);
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
  const baseEnv = { PATH: process.env.PATH, HOME: root, KUBECACHEDIR: cacheBase };
  const envFor = (execInfo: string | null, extra: Record<string, string> = {}) => ({
    ...baseEnv,
    ...(execInfo === null ? {} : { KUBERNETES_EXEC_INFO: execInfo }),
    ...extra,
  });
  type Opts = { execInfo?: string | null; env?: Record<string, string> };
  /** The bin alone: answers from a hit record or fails to load the miss bundle. */
  const fast = (argv: string[], o: Opts = {}) =>
    spawnSync(process.execPath, [join(root, 'bin', 'kubecred.cjs'), 'get-token', 'oidc', ...argv], {
      env: envFor(o.execInfo === undefined ? V1 : o.execInfo, o.env),
      encoding: 'utf8',
    });
  /** The whole program: answers from the entry (no IdP is reachable) and keeps a hit record. */
  const full = (argv: string[], o: Opts = {}) =>
    spawnSync(process.execPath, [kubecredBin, 'get-token', 'oidc', ...argv], {
      env: { ...envFor(o.execInfo === undefined ? V1 : o.execInfo, o.env), DBUS_SESSION_BUS_ADDRESS: '' },
      encoding: 'utf8',
    });
  const records = () => readdirSync(dir).filter((n) => n.endsWith('.hit'));
  return { root, dir, key, entry, fast, full, records };
}

test('the full CLI answers first and keeps the answer; then the fast path alone prints it, per spelling and exec version', () => {
  const f = isolatedFastPath();
  const expires = new Date(Date.now() + 3600_000);
  writeEntry(f.dir, f.key, f.entry(expires));
  for (const argv of [args, otherSpelling]) {
    assert.match(f.fast(argv).stderr, MISS, 'no record yet: the fast path does not parse flags');
    const first = f.full(argv);
    assert.equal(first.status, 0, first.stderr);
    const r = f.fast(argv);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'a hit is silent');
    assert.equal(r.stdout, first.stdout, 'byte for byte what the full CLI printed');
    const out = JSON.parse(r.stdout);
    assert.equal(out.apiVersion, 'client.authentication.k8s.io/v1');
    assert.equal(out.status.token, 'cached-id-token');
    const handedOut = Date.parse(out.status.expirationTimestamp);
    assert.ok(Math.abs(handedOut - (expires.getTime() - 60_000)) < 1000, 'kubectl is told to come back 60 s early');
  }
  assert.equal(f.records().length, 2, 'one record per spelling');
  for (const [execInfo, apiVersion] of [
    [V1BETA1, 'client.authentication.k8s.io/v1beta1'],
    [null, 'client.authentication.k8s.io/v1beta1'],
  ] as const) {
    assert.match(f.fast(args, { execInfo }).stderr, MISS, 'another exec version is another record');
    assert.equal(f.full(args, { execInfo }).status, 0);
    assert.equal(JSON.parse(f.fast(args, { execInfo }).stdout).apiVersion, apiVersion);
  }
  assert.equal(f.fast(args, { execInfo: '' }).status, 0, 'empty exec info means absent, as in the full CLI');
  assert.match(f.fast(args, { execInfo: '{"apiVersion":' }).stderr, MISS, 'unparsable exec info is the full CLI’s to explain');
});

test('a refresh, a login, a logout or cache reset is seen by the very next hit', () => {
  const f = isolatedFastPath();
  writeEntry(f.dir, f.key, f.entry(new Date(Date.now() + 3600_000), 'first-token'));
  assert.equal(f.full(args).status, 0);
  assert.equal(JSON.parse(f.fast(args).stdout).status.token, 'first-token');
  // What a refresh or login does: a new entry under the same key.
  writeEntry(f.dir, f.key, f.entry(new Date(Date.now() + 7200_000), 'second-token'));
  assert.deepEqual(f.records(), [], 'writing the entry dropped the records made from it');
  assert.match(f.fast(args).stderr, MISS);
  assert.equal(JSON.parse(f.full(args).stdout).status.token, 'second-token');
  assert.equal(JSON.parse(f.fast(args).stdout).status.token, 'second-token');
  // What logout does.
  removeEntry(f.dir, f.key);
  assert.match(f.fast(args).stderr, MISS, 'a logged-out token is never served');
  // cache reset through the CLI.
  writeEntry(f.dir, f.key, f.entry(new Date(Date.now() + 3600_000)));
  assert.equal(f.full(args).status, 0);
  const reset = spawnSync(process.execPath, [kubecredBin, 'cache', 'reset', '--all'], {
    env: { PATH: process.env.PATH, HOME: f.root, KUBECACHEDIR: join(f.root, 'cache'), DBUS_SESSION_BUS_ADDRESS: '' },
    encoding: 'utf8',
  });
  assert.equal(reset.status, 0, reset.stderr);
  assert.deepEqual(f.records(), []);
  assert.match(f.fast(args).stderr, MISS);
});

test('--min-validity is part of the invocation and moves the handed-out expiry', () => {
  const f = isolatedFastPath();
  writeEntry(f.dir, f.key, f.entry(new Date(Date.now() + 600_000)));
  const withMargin = [...args, '--min-validity=5m'];
  assert.equal(f.full(withMargin).status, 0);
  const r = f.fast(withMargin);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(Date.parse(JSON.parse(r.stdout).status.expirationTimestamp) <= Date.now() + 300_000 + 1000);
  assert.match(f.fast([...args, '--min-validity=11m']).stderr, MISS);
});

test('no record for --force-refresh, -v, keyring storage or a bad flag, and the environment must match', () => {
  const f = isolatedFastPath();
  writeEntry(f.dir, f.key, f.entry(new Date(Date.now() + 3600_000)));
  for (const extra of [['-v'], ['--v=4'], ['--token-cache-storage=keyring'], ['--force-refresh'], ['--no-such-flag']]) {
    f.full([...args, ...extra]);
    assert.deepEqual(f.records(), [], `${extra.join(' ')} always runs the full CLI`);
    assert.match(f.fast([...args, ...extra]).stderr, MISS);
  }
  // A cache dir named in argv is found without the flag tables, in the parser's spellings.
  const elsewhere = join(f.root, 'other-cache');
  const withDir = [...args, '-token_cache_dir', elsewhere];
  writeEntry(elsewhere, f.key, f.entry(new Date(Date.now() + 3600_000), 'elsewhere-token'));
  assert.equal(f.full(withDir).status, 0);
  assert.equal(readdirSync(elsewhere).filter((n) => n.endsWith('.hit')).length, 1);
  assert.equal(JSON.parse(f.fast(withDir).stdout).status.token, 'elsewhere-token');
  // HOME decides `~` and the default cache dir: a record made under another HOME is not used.
  assert.equal(f.full(args).status, 0);
  assert.equal(f.fast(args).status, 0);
  assert.match(f.fast(args, { env: { HOME: join(f.root, 'elsewhere') } }).stderr, MISS);
  assert.match(f.fast(args, { env: { USERPROFILE: f.root } }).stderr, MISS);
});

test('a hit record that is loose, planted, torn, stale or for another invocation is a miss', () => {
  const f = isolatedFastPath();
  writeEntry(f.dir, f.key, f.entry(new Date(Date.now() + 3600_000)));
  assert.equal(f.full(args).status, 0);
  const invocation = invocationOf(['get-token', 'oidc', ...args], { KUBERNETES_EXEC_INFO: V1 })!;
  const file = hitRecordFile(f.dir, invocation);
  const good = readFileSync(file, 'utf8');
  const record = JSON.parse(good);
  const put = (text: string) => {
    rmSync(file, { force: true });
    writeFileSync(file, text, { mode: 0o600 });
  };
  chmodSync(file, 0o644);
  assert.match(f.fast(args).stderr, MISS, 'readable by others');
  put(good.slice(0, 60));
  assert.match(f.fast(args).stderr, MISS, 'torn JSON');
  put(JSON.stringify({ ...record, invocation: invocation.replace('cozy', 'other') }));
  assert.match(f.fast(args).stderr, MISS, 'a colliding name with another invocation');
  put(JSON.stringify({ ...record, freshUntilMs: Date.now() - 1 }));
  assert.match(f.fast(args).stderr, MISS, 'past its freshness');
  put(JSON.stringify({ ...record, env: { ...record.env, HOME: '/elsewhere' } }));
  assert.match(f.fast(args).stderr, MISS, 'made under another environment');
  const planted = join(f.root, 'planted.hit');
  writeFileSync(planted, JSON.stringify({ ...record, output: 'planted-token' }), { mode: 0o600 });
  rmSync(file);
  symlinkSync(planted, file);
  const r = f.fast(args);
  assert.ok(!r.stdout.includes('planted-token'), 'a symlink in the cache dir is never followed');
  rmSync(file);
  put(good);
  chmodSync(f.dir, 0o755);
  assert.match(f.fast(args).stderr, MISS, 'a cache dir others can read');
  chmodSync(f.dir, 0o700);
  assert.equal(f.fast(args).stdout, record.output);
});

test('the fast-path bundle requires only node: built-ins, holds no import() and no flag tables', () => {
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
  for (const flag of ['issuer-url', 'os-auth-url', 'min-validity']) assert.equal(bundle.includes(flag), false, `${flag}: no flag table`);
});
