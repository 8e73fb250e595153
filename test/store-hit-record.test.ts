// Hit records in-process: where the fast path looks (it must agree with the flag parser), how a
// record is judged (its invocation, environment, freshness and entry file), and which records the
// cache's writers drop.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  answerFromHitRecord,
  dropHitRecords,
  entryStamp,
  hitRecordDir,
  hitRecordFile,
  invocationOf,
  writeHitRecord,
  type HitRecord,
} from '../src/store/hit-record.js';
import { ensurePrivateDir } from '../src/store/atomic-file.js';
import { writeEntry, type CacheEntry } from '../src/store/token-cache.js';
import { keepForFastPath } from '../src/usecases/fast-path-record.js';
import { resolveCommonOptions } from '../src/exec/common-options.js';
import { parseFlags } from '../src/exec/flags.js';
import { providerModules } from '../src/providers/registry.js';

const roots: string[] = [];
after(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});
function tempDir(): string {
  const root = mkdtempSync(join(tmpdir(), 'kubecred-hits-'));
  roots.push(root);
  const dir = join(root, 'kubecred');
  ensurePrivateDir(dir);
  return dir;
}

const keystone = providerModules.find((m) => m.kind === 'keystone')!;
const V1 = '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"interactive":false}}';

test('the fast path finds the cache dir where the flag parser puts it, in every spelling the parser takes', () => {
  const env = { HOME: '/home/u', KUBECACHEDIR: '/var/cache/k' };
  const spellings = [
    [],
    ['--token-cache-dir=/c'],
    ['--token-cache-dir', '/c'],
    ['-token-cache-dir', '/c'],
    ['--token_cache_dir=/c'],
    ['--token-cache-dir=/a', '--auth-url=https://k', '--token-cache-dir', '~/b'],
    ['--token-cache-dir=$HOME/x'],
    ['--token-cache-dir='],
  ];
  for (const flags of spellings) {
    const parsed = resolveCommonOptions(parseFlags(keystone.getTokenFlags, flags, env).values, env).cacheDir;
    assert.equal(hitRecordDir(['get-token', 'keystone', ...flags], env), parsed, flags.join(' '));
  }
  assert.equal(hitRecordDir(['get-token', 'oidc'], { HOME: '/home/u' }), join('/home/u', '.kube', 'cache', 'kubecred'));
});

test('an invocation is argv with the exec apiVersion; exec info that is not JSON names none', () => {
  const argv = ['get-token', 'oidc', '--client-id=a'];
  assert.equal(invocationOf(argv, {}), invocationOf(argv, { KUBERNETES_EXEC_INFO: '' }));
  assert.notEqual(invocationOf(argv, {}), invocationOf(argv, { KUBERNETES_EXEC_INFO: V1 }));
  assert.equal(invocationOf(argv, { KUBERNETES_EXEC_INFO: 'nope' }), undefined);
  assert.equal(invocationOf(argv, { KUBERNETES_EXEC_INFO: '{"kind":"ExecCredential"}' }), undefined);
  // Argument boundaries count: these two must never share a record.
  assert.notEqual(invocationOf(['get-token', 'a b'], {}), invocationOf(['get-token', 'a', 'b'], {}));
});

const KEY1 = '1'.repeat(64);
const KEY2 = '2'.repeat(64);
const KEY3 = '3'.repeat(64);

/** A record made from the entry file `<entryKey>.json` (created if missing), as the full CLI keeps one. */
function record(dir: string, argv: string[], over: Partial<HitRecord> = {}): HitRecord {
  const entryKey = over.entryKey ?? KEY1;
  const entry = join(dir, `${entryKey}.json`);
  if (!existsSync(entry)) writeFileSync(entry, '{"v":1}', { mode: 0o600 });
  const r: HitRecord = {
    v: 1,
    invocation: invocationOf(argv, { KUBERNETES_EXEC_INFO: V1 })!,
    env: { HOME: '/home/u', OS_USERNAME: 'alice', OS_PROJECT_NAME: null },
    freshUntilMs: 10_000,
    entryKey,
    entryFile: entryStamp(dir, entryKey)!,
    output: `answer for ${argv.join(' ')}\n`,
    ...over,
  };
  writeHitRecord(dir, r);
  return r;
}

test('a record answers only its invocation, under the environment it was made in, before its freshness ends', () => {
  const dir = tempDir();
  const argv = ['get-token', 'keystone', `--token-cache-dir=${dir}`];
  const r = record(dir, argv);
  const env = { KUBERNETES_EXEC_INFO: V1, HOME: '/home/u', OS_USERNAME: 'alice' };
  assert.equal(answerFromHitRecord(argv, env, 9_999), r.output);
  assert.equal(answerFromHitRecord(argv, env, 10_000), undefined, 'freshness ends at freshUntilMs');
  assert.equal(answerFromHitRecord(argv, { ...env, OS_USERNAME: 'bob' }, 0), undefined, 'another user');
  assert.equal(answerFromHitRecord(argv, { ...env, OS_PROJECT_NAME: 'p' }, 0), undefined, 'a variable set that was unset');
  assert.equal(answerFromHitRecord(argv, { ...env, OS_USERNAME: undefined }, 0), undefined, 'a variable unset that was set');
  assert.equal(answerFromHitRecord([...argv, '-v'], env, 0), undefined, 'another argv');
  assert.equal(answerFromHitRecord(argv, { ...env, KUBERNETES_EXEC_INFO: undefined }, 0), undefined, 'another exec version');
  writeFileSync(hitRecordFile(dir, r.invocation), JSON.stringify({ ...r, v: 2 }), { mode: 0o600 });
  assert.equal(answerFromHitRecord(argv, env, 0), undefined, 'an unknown format version');
  writeFileSync(hitRecordFile(dir, r.invocation), JSON.stringify({ ...r, entryKey: '../../etc/passwd' }), { mode: 0o600 });
  assert.equal(answerFromHitRecord(argv, env, 0), undefined, 'an entry key that is not a key');
});

test('a record is served only while its entry file is the one it was made from, ours and private', () => {
  const dir = tempDir();
  const argv = ['get-token', 'keystone', `--token-cache-dir=${dir}`];
  const env = { KUBERNETES_EXEC_INFO: V1, HOME: '/home/u', OS_USERNAME: 'alice' };
  const entry = join(dir, `${KEY1}.json`);
  const r = record(dir, argv);
  assert.equal(answerFromHitRecord(argv, env, 0), r.output);
  chmodSync(entry, 0o644);
  assert.equal(answerFromHitRecord(argv, env, 0), undefined, 'an entry others can read: the full CLI repairs and warns');
  chmodSync(entry, 0o600);
  assert.equal(answerFromHitRecord(argv, env, 0), r.output, 'a repair changes neither inode nor mtime');
  writeFileSync(entry, '{"v":2}');
  assert.equal(answerFromHitRecord(argv, env, 0), undefined, 'edited in place, same size: another mtime');
  record(dir, argv);
  writeFileSync(join(dir, 'new.json'), '{"v":1}', { mode: 0o600 });
  renameSync(join(dir, 'new.json'), entry);
  assert.equal(answerFromHitRecord(argv, env, 0), undefined, 'replaced atomically, as a refresh or an older kubecred does');
  record(dir, argv);
  rmSync(entry);
  assert.equal(answerFromHitRecord(argv, env, 0), undefined, 'removed by hand or by logout');
  record(dir, argv);
  renameSync(entry, join(dir, 'elsewhere.json'));
  symlinkSync(join(dir, 'elsewhere.json'), entry);
  assert.equal(entryStamp(dir, KEY1), undefined, 'a symlinked entry is never stamped');
  assert.equal(answerFromHitRecord(argv, env, 0), undefined, 'not even when it points at the very file');
});

test('writers drop the records of their entry, the stale and the unreadable, and keep the rest', () => {
  const dir = tempDir();
  record(dir, ['get-token', 'a'], { entryKey: KEY1, freshUntilMs: 5_000 });
  const other = record(dir, ['get-token', 'b'], { entryKey: KEY2, freshUntilMs: 5_000 });
  record(dir, ['get-token', 'c'], { entryKey: KEY3, freshUntilMs: 1_000 });
  writeFileSync(join(dir, 'ffffffffffffffff.hit'), '{"v":1,', { mode: 0o600 });
  const entries = [KEY1, KEY2, KEY3].map((k) => `${k}.json`);
  dropHitRecords(dir, KEY1, 2_000);
  const left = readdirSync(dir).sort();
  assert.deepEqual(left, [...entries, hitRecordFile(dir, other.invocation).slice(dir.length + 1)].sort());
  dropHitRecords(dir, 'all', 0);
  assert.deepEqual(readdirSync(dir).sort(), entries, 'all records, nothing else');
});

test('an answer whose entry changed while it was being kept is not kept', () => {
  const dir = tempDir();
  const entry = (obtainedAt: string): CacheEntry => ({
    v: 1,
    provider: 'oidc',
    identity: { provider: 'oidc' },
    storage: 'disk',
    expiresAt: '2999-01-01T00:00:00Z',
    obtainedAt,
    credential: { token: 't' },
  });
  const argv = ['get-token', 'oidc', `--token-cache-dir=${dir}`];
  const env = { KUBERNETES_EXEC_INFO: V1, HOME: '/home/u' };
  const common = resolveCommonOptions({ 'token-cache-dir': dir }, env);
  const keep = (served: CacheEntry) =>
    keepForFastPath({ argv, env, flags: [], common, storage: 'disk', key: KEY1, entry: served, output: 'out\n', marginMs: 60_000 });
  writeEntry(dir, KEY1, entry('2026-01-01T00:00:00Z'));
  keep(entry('2026-01-01T00:00:00Z'));
  assert.equal(answerFromHitRecord(argv, env, Date.now()), 'out\n');
  // Served from the old entry, written after a refresh replaced it: dropped at once.
  writeEntry(dir, KEY1, entry('2026-06-01T00:00:00Z'));
  keep(entry('2026-01-01T00:00:00Z'));
  assert.equal(answerFromHitRecord(argv, env, Date.now()), undefined);
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.endsWith('.hit')),
    [],
  );
  // Served after a logout removed it: not kept either.
  rmSync(join(dir, `${KEY1}.json`));
  keep(entry('2026-06-01T00:00:00Z'));
  assert.equal(answerFromHitRecord(argv, env, Date.now()), undefined);
});
