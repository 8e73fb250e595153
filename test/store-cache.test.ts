// Token cache entries through the token store, the failure marker, and cache-key canonicalisation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asSet, cacheKey } from '../src/store/cache-key.js';
import { clearFailure, recentFailure, recordFailure } from '../src/store/failure-marker.js';
import { failureFile, tokenFile } from '../src/store/paths.js';
import type { CacheEntry } from '../src/store/token-cache.js';
import { openTokenStore } from '../src/store/token-store.js';

const KEY = 'd'.repeat(64);
const OTHER = 'e'.repeat(64);
const posix = process.platform !== 'win32';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kubecred-cache-'));
}

function entry(token = 'tok-1'): CacheEntry {
  return {
    v: 1,
    provider: 'oidc',
    identity: { provider: 'oidc', issuer: 'https://idp.example', clientId: 'kubernetes', scopes: ['email', 'openid'] },
    label: 'alice',
    storage: 'disk',
    expiresAt: '2030-01-01T00:00:00.000Z',
    obtainedAt: '2029-12-31T23:00:00.000Z',
    credential: { token },
    meta: { issuer: 'https://idp.example' },
  };
}

const noNotice = (m: string) => assert.fail(`unexpected notice: ${m}`);

test('a cache entry written to disk reads back identical, 0600', async (t) => {
  const dir = join(tempDir(), 'cache');
  t.after(() => rmSync(join(dir, '..'), { recursive: true, force: true }));
  const store = await openTokenStore({ dir, storage: 'disk', notice: noNotice });
  assert.equal(store.storage, 'disk');
  assert.deepEqual(await store.read(KEY), { status: 'missing' });
  await store.write(KEY, entry());
  assert.deepEqual(await store.read(KEY), { status: 'hit', entry: entry() });
  if (posix) assert.equal(statSync(tokenFile(dir, KEY)).mode & 0o777, 0o600);
  if (posix) assert.equal(statSync(dir).mode & 0o777, 0o700);
  const cert = { ...entry(), credential: { clientCertificateData: 'CERT', clientKeyData: 'KEY' } };
  await store.write(OTHER, cert);
  assert.deepEqual(await store.read(OTHER), { status: 'hit', entry: cert });
});

const corruptions: Array<[string, string]> = [
  ['garbage', '\u0000\u0001not json at all'],
  ['truncated', JSON.stringify(entry()).slice(0, 50)],
  ['wrong version', JSON.stringify({ ...entry(), v: 2 })],
  ['missing credential', JSON.stringify({ ...entry(), credential: undefined })],
  ['empty token', JSON.stringify({ ...entry(), credential: { token: '' } })],
  ['bad expiry', JSON.stringify({ ...entry(), expiresAt: 'soon' })],
  ['empty file', ''],
];

for (const [name, text] of corruptions) {
  test(`a corrupt entry (${name}) reads as corrupt and the next write replaces it`, async (t) => {
    const dir = tempDir();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(tokenFile(dir, KEY), text);
    const store = await openTokenStore({ dir, storage: 'disk', notice: noNotice });
    const read = await store.read(KEY);
    assert.equal(read.status, 'corrupt');
    const listed = await store.list();
    assert.equal(listed.length, 1);
    assert.ok('problem' in listed[0]!);
    await store.write(KEY, entry('tok-2'));
    assert.deepEqual(await store.read(KEY), { status: 'hit', entry: entry('tok-2') });
  });
}

test('list shows every entry and remove forgets one', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const store = await openTokenStore({ dir, storage: 'disk', notice: noNotice });
  await store.write(KEY, entry('a'));
  await store.write(OTHER, entry('b'));
  writeFileSync(join(dir, 'not-a-key.json'), '{}');
  const listed = (await store.list()).sort((x, y) => x.key.localeCompare(y.key));
  assert.deepEqual(listed, [
    { key: KEY, entry: entry('a') },
    { key: OTHER, entry: entry('b') },
  ]);
  assert.equal(await store.remove(KEY), true);
  assert.equal(await store.remove(KEY), false);
  assert.deepEqual(await store.read(KEY), { status: 'missing' });
  assert.deepEqual(await store.read(OTHER), { status: 'hit', entry: entry('b') });
});

test("token storage 'none' never touches the disk", async (t) => {
  const dir = join(tempDir(), 'never-created');
  t.after(() => rmSync(join(dir, '..'), { recursive: true, force: true }));
  const store = await openTokenStore({ dir, storage: 'none', notice: noNotice });
  assert.equal(store.storage, 'none');
  await store.write(KEY, entry());
  assert.deepEqual(await store.read(KEY), { status: 'missing' });
  assert.equal(await store.remove(KEY), false);
  assert.deepEqual(await store.list(), []);
  assert.equal(existsSync(dir), false);
});

test('a failure is reported within its 30 s window only, then cleared', (t) => {
  const dir = join(tempDir(), 'cache');
  t.after(() => rmSync(join(dir, '..'), { recursive: true, force: true }));
  const t0 = Date.parse('2030-01-01T00:00:00Z');
  assert.equal(recentFailure(dir, KEY, t0), undefined);
  recordFailure(dir, KEY, 'login abandoned:\nthe browser was closed', t0);
  if (posix) assert.equal(statSync(failureFile(dir, KEY)).mode & 0o777, 0o600);
  assert.equal(recentFailure(dir, KEY, t0), 'login abandoned: the browser was closed');
  assert.equal(recentFailure(dir, KEY, t0 + 29_999), 'login abandoned: the browser was closed');
  assert.equal(recentFailure(dir, KEY, t0 + 30_000), undefined);
  assert.equal(recentFailure(dir, KEY, t0 + 5_000, 1_000), undefined);
  assert.equal(recentFailure(dir, KEY, t0 - 1), undefined, 'a marker from the future (clock set back) is ignored');
  assert.equal(recentFailure(dir, OTHER, t0), undefined, 'markers are per key');
  clearFailure(dir, KEY);
  assert.equal(recentFailure(dir, KEY, t0), undefined);
  assert.deepEqual(readdirSync(dir), []);
});

test('a malformed failure marker counts as no failure', (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const text of ['garbage', '{"reason":"x"}', '{"reason":1,"at":0}', '[]', 'null']) {
    writeFileSync(failureFile(dir, KEY), text);
    assert.equal(recentFailure(dir, KEY, 0), undefined, text);
  }
  recordFailure(dir, KEY, 'x', 5);
  assert.deepEqual(JSON.parse(readFileSync(failureFile(dir, KEY), 'utf8')), { reason: 'x', at: 5 });
});

test('cache keys ignore key order and undefined, not values', () => {
  const a = cacheKey({ provider: 'oidc', issuer: 'https://i', clientId: 'k', extra: { b: 1, a: [1, 2] } });
  const b = cacheKey({ extra: { a: [1, 2], b: 1 }, clientId: 'k', provider: 'oidc', issuer: 'https://i', nothing: undefined });
  assert.match(a, /^[0-9a-f]{64}$/);
  assert.equal(a, b);
  assert.notEqual(a, cacheKey({ provider: 'oidc', issuer: 'https://i', clientId: 'k2', extra: { b: 1, a: [1, 2] } }));
  assert.notEqual(a, cacheKey({ provider: 'oidc', issuer: 'https://i', clientId: 'k', extra: { b: 1, a: [2, 1] } }));
  assert.notEqual(cacheKey({ provider: 'oidc', n: 1 }), cacheKey({ provider: 'oidc', n: '1' }));
  assert.notEqual(cacheKey({ provider: 'oidc', n: null }), cacheKey({ provider: 'oidc' }));
  const scopes1 = cacheKey({ provider: 'oidc', scopes: asSet(['openid', 'email', 'groups', 'email']) });
  const scopes2 = cacheKey({ provider: 'oidc', scopes: asSet(['groups', 'openid', 'email']) });
  assert.equal(scopes1, scopes2);
  assert.deepEqual(asSet(['b', 'a', 'b']), ['a', 'b']);
});
