// The trust rule for everything kubecred reads from its cache dir, the clean-up of what a killed
// kubecred leaves behind, and the scrubbing of server text: units, on real files (root can chown
// to another uid; other users skip the ownership cases with a reason).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePrivateDir, readPrivateFile, removeStaleTempFiles } from '../src/store/atomic-file.js';
import { readEntry, writeEntry, type CacheEntry } from '../src/store/token-cache.js';
import { openSecretStore, scopedSecrets, DISK_SECRETS_NOTICE_MARKER } from '../src/store/secret-store.js';
import { recentFailure, recordFailure } from '../src/store/failure-marker.js';
import { tokenFile } from '../src/store/paths.js';
import { updateKubeconfigFile, lockPathOf } from '../src/kubeconfig/write.js';
import { forgetSecrets, rememberSecret, scrubServerText } from '../src/shared/scrub.js';
import { childEnvironment } from '../src/infra/child-env.js';

const posix = process.platform !== 'win32';
const root = process.getuid?.() === 0;
const OTHER_UID = 65534;
const KEY = 'b'.repeat(64);

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'kubecred-trust-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function entry(token: string, meta?: Record<string, unknown>): CacheEntry {
  const now = Date.now();
  return {
    v: 1,
    provider: 'oidc',
    identity: { provider: 'oidc' },
    storage: 'disk',
    expiresAt: new Date(now + 3600_000).toISOString(),
    obtainedAt: new Date(now).toISOString(),
    credential: { token },
    meta,
  };
}

/** A pid that surely belongs to no process: a child that has exited and been reaped. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

test(
  'trust: an entry owned by another user is never used, its endpoints neither',
  { skip: !posix ? 'POSIX owners' : !root && 'needs root to chown to another uid' },
  (t) => {
    const dir = join(tempDir(t), 'kubecred');
    ensurePrivateDir(dir);
    writeFileSync(
      tokenFile(dir, KEY),
      JSON.stringify(entry('planted', { v: 1, server: { issuer: 'x', token_endpoint: 'http://127.0.0.1:1/steal' } })),
      { mode: 0o600 },
    );
    chownSync(tokenFile(dir, KEY), OTHER_UID, OTHER_UID);
    const read = readEntry(dir, KEY, { repair: () => assert.fail('nothing to repair') });
    assert.equal(read.status, 'corrupt');
    assert.match(read.status === 'corrupt' ? read.problem : '', /belongs to uid 65534, not you, so it is not trusted/);
    // The fast path (no repair) says miss as well.
    assert.equal(readEntry(dir, KEY).status, 'corrupt');
  },
);

test(
  'trust: a world-writable cache dir or entry is not trusted; the next write tightens the dir',
  { skip: !posix && 'POSIX modes' },
  (t) => {
    const dir = join(tempDir(t), 'kubecred');
    ensurePrivateDir(dir);
    writeEntry(dir, KEY, entry('ours'));
    chmodSync(dir, 0o777);
    const read = readEntry(dir, KEY, { repair: () => {} });
    assert.equal(read.status, 'corrupt');
    assert.match(read.status === 'corrupt' ? read.problem : '', /writable by other users \(mode 0777\)/);
    writeEntry(dir, KEY, entry('fresh'));
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    chmodSync(tokenFile(dir, KEY), 0o666);
    assert.match(JSON.stringify(readEntry(dir, KEY, { repair: () => {} })), /writable by other users \(mode 0666\)/);
  },
);

test(
  'trust: a 0644 entry and a 0755 dir of ours are repaired with one warning each; the fast path only falls through',
  { skip: !posix && 'POSIX modes' },
  (t) => {
    const dir = join(tempDir(t), 'kubecred');
    ensurePrivateDir(dir);
    writeEntry(dir, KEY, entry('ours'));
    chmodSync(dir, 0o755);
    chmodSync(tokenFile(dir, KEY), 0o644);
    assert.equal(readEntry(dir, KEY).status, 'corrupt', 'the fast path leaves the repair to the full CLI');
    assert.equal(statSync(tokenFile(dir, KEY)).mode & 0o777, 0o644, 'and changes nothing');
    const warnings: string[] = [];
    const read = readEntry(dir, KEY, { repair: (m) => warnings.push(m) });
    assert.equal(read.status, 'hit');
    assert.equal(warnings.length, 2, warnings.join('\n'));
    assert.match(warnings[0]!, /warning: .* was readable by other users \(mode 0755\); made it 0700/);
    assert.match(warnings[1]!, /was readable by other users \(mode 0644\); made it 0600/);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(tokenFile(dir, KEY)).mode & 0o777, 0o600);
    readEntry(dir, KEY, { repair: (m) => warnings.push(m) });
    assert.equal(warnings.length, 2, 'once repaired, no more warnings');
  },
);

test('trust: a symlinked cache dir or secrets dir is refused and its target never chmodded', { skip: !posix && 'symlinks' }, async (t) => {
  const base = tempDir(t);
  const target = join(base, 'elsewhere');
  mkdirSync(target, { mode: 0o755 });
  chmodSync(target, 0o755);
  writeFileSync(join(target, `${KEY}.json`), JSON.stringify(entry('via-link')), { mode: 0o600 });
  const link = join(base, 'kubecred');
  symlinkSync(target, link);
  assert.throws(() => ensurePrivateDir(link), /is a symlink, which kubecred never follows/);
  assert.equal(statSync(target).mode & 0o777, 0o755, 'the target keeps its mode');
  const read = readEntry(link, KEY, { repair: () => {} });
  assert.equal(read.status, 'corrupt');
  assert.match(read.status === 'corrupt' ? read.problem : '', /symlink/);

  const cache = join(base, 'real');
  ensurePrivateDir(cache);
  const secretsTarget = join(base, 'secrets-target');
  mkdirSync(secretsTarget, { mode: 0o700 });
  writeFileSync(join(secretsTarget, `${KEY}%2Frefresh_token`), 'planted-refresh-token', { mode: 0o600 });
  symlinkSync(secretsTarget, join(cache, 'secrets'));
  const notices: string[] = [];
  const store = scopedSecrets(await openSecretStore({ cacheDir: cache, prefer: 'disk', notice: (m) => notices.push(m) }), KEY);
  assert.equal(await store.get('refresh_token'), undefined);
  assert.equal(notices.length, 1);
  assert.match(notices[0]!, /ignoring the secret file .*symlink/);
  await assert.rejects(store.set('refresh_token', 'new'), /symlink/);
});

test(
  'trust: a secret file owned by another user is ignored with one warning',
  { skip: !posix ? 'POSIX owners' : !root && 'needs root to chown to another uid' },
  async (t) => {
    const cache = join(tempDir(t), 'kubecred');
    const notices: string[] = [];
    const store = scopedSecrets(await openSecretStore({ cacheDir: cache, prefer: 'disk', notice: (m) => notices.push(m) }), KEY);
    await store.set('refresh_token', 'ours');
    const file = join(
      cache,
      'secrets',
      readdirSync(join(cache, 'secrets')).find((n) => !n.startsWith('.'))!,
    );
    chownSync(file, OTHER_UID, OTHER_UID);
    assert.equal(await store.get('refresh_token'), undefined);
    assert.equal(notices.length, 1);
    assert.match(notices[0]!, /belongs to uid 65534/);
  },
);

test('trust: cache files larger than 1 MiB are refused', (t) => {
  const dir = join(tempDir(t), 'kubecred');
  ensurePrivateDir(dir);
  writeFileSync(tokenFile(dir, KEY), JSON.stringify(entry('x'.repeat(1_100_000))), { mode: 0o600 });
  const read = readEntry(dir, KEY, { repair: () => {} });
  assert.equal(read.status, 'corrupt');
  assert.match(read.status === 'corrupt' ? read.problem : '', /larger than 1048576 bytes/);
  assert.throws(
    () => readPrivateFile(tokenFile(dir, KEY)),
    (err: NodeJS.ErrnoException) => err.code === 'EFBIG',
  );
});

test('trust: a failure marker another user could write is no failure', { skip: !posix && 'POSIX modes' }, (t) => {
  const dir = join(tempDir(t), 'kubecred');
  recordFailure(dir, KEY, 'login failed', Date.now());
  assert.equal(recentFailure(dir, KEY, Date.now()), 'login failed');
  chmodSync(dir, 0o777);
  assert.equal(recentFailure(dir, KEY, Date.now()), undefined);
});

test("stale: temp files of a dead kubecred are removed at once, a live writer's stay", { skip: !posix && 'pids' }, (t) => {
  const dir = join(tempDir(t), 'kubecred');
  ensurePrivateDir(dir);
  const dead = `.${KEY}.json.${deadPid()}.${Date.now()}.0.tmp`;
  const live = `.${KEY}.json.${process.ppid}.${Date.now()}.0.tmp`;
  writeFileSync(join(dir, dead), 'token', { mode: 0o600 });
  writeFileSync(join(dir, live), 'token', { mode: 0o600 });
  removeStaleTempFiles(dir, Date.now());
  assert.equal(existsSync(join(dir, dead)), false);
  assert.equal(existsSync(join(dir, live)), true);
  writeEntry(dir, KEY, entry('t'));
  assert.deepEqual(
    readdirSync(dir).filter((n) => n.endsWith('.tmp')),
    [live],
  );
});

test(
  "stale: a kubeconfig lock naming a dead pid is taken over; kubectl's empty lock is respected",
  { skip: !posix && 'pids' },
  async (t) => {
    const dir = tempDir(t);
    const file = join(dir, 'config');
    writeFileSync(lockPathOf(file), `${deadPid()}\n`);
    writeFileSync(join(dir, `.config.${deadPid()}.${Date.now()}.3.tmp`), 'half');
    const { written } = await updateKubeconfigFile(
      file,
      (doc) => {
        doc.document.set('current-context', 'x');
        doc.changed = true;
      },
      { lockTimeoutMs: 1000 },
    );
    assert.equal(written, true);
    assert.equal(existsSync(lockPathOf(file)), false, 'no lock left');
    assert.deepEqual(
      readdirSync(dir).filter((n) => n.endsWith('.tmp')),
      [],
      "the dead writer's temp file is gone",
    );

    writeFileSync(lockPathOf(file), '');
    await assert.rejects(
      updateKubeconfigFile(file, () => {}, { lockTimeoutMs: 200 }),
      /config\.lock exists: another kubectl or kubecred is writing/,
    );
  },
);

test('notice: the secrets-on-disk notice and its marker come only when a secret is stored', async (t) => {
  const cache = join(tempDir(t), 'kubecred');
  const notices: string[] = [];
  // No D-Bus session in this process: the keyring is unreachable.
  const saved = process.env.DBUS_SESSION_BUS_ADDRESS;
  process.env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent/bus';
  t.after(() => (saved === undefined ? delete process.env.DBUS_SESSION_BUS_ADDRESS : (process.env.DBUS_SESSION_BUS_ADDRESS = saved)));
  const store = await openSecretStore({ cacheDir: cache, notice: (m) => notices.push(m) });
  if (store.backend !== 'disk') return t.skip('a keyring answered in this environment');
  assert.equal(await store.get(`${KEY}/refresh_token`), undefined);
  assert.deepEqual(notices, [], 'nothing said by a run that stores nothing');
  assert.equal(existsSync(join(cache, DISK_SECRETS_NOTICE_MARKER)), false, 'and nothing written');
  await store.set(`${KEY}/refresh_token`, 'rt');
  assert.equal(notices.length, 1);
  assert.match(notices[0]!, /no Secret Service keyring is reachable/);
  assert.equal(existsSync(join(cache, DISK_SECRETS_NOTICE_MARKER)), true);
});

test('scrub: server text loses escapes, control characters and our secrets, and is clipped', () => {
  forgetSecrets();
  rememberSecret('s3cr3t-refresh-token');
  rememberSecret('p@ss word');
  const text = `\u001b]0;pwned\u0007\u001b[2Jinvalid grant for s3cr3t-refresh-token (password=${encodeURIComponent('p@ss word')}) ${'\u202e'}evil\r\nline2`;
  const out = scrubServerText(text);
  assert.ok(!out.includes('s3cr3t'), out);
  assert.ok(!out.includes('p%40ss'), out);
  assert.ok(!/[\u0000-\u001f\u007f\u202e]/.test(out), JSON.stringify(out));
  assert.match(out, /invalid grant for \[redacted\] \(password=\[redacted\]\) evil line2/);
  const long = scrubServerText('x'.repeat(10 * 1024 * 1024));
  assert.equal(long.length, 300);
  assert.ok(long.endsWith('…'));
  forgetSecrets();
});

test('child environment: no KUBECRED_PASSWORD, client secret, OS_PASSWORD or secret-looking variables', () => {
  const env = childEnvironment({
    PATH: '/bin',
    HOME: '/h',
    DISPLAY: ':0',
    SSH_AUTH_SOCK: '/s',
    XAUTHORITY: '/x',
    KUBECRED_PASSWORD: 'a',
    KUBECRED_CLIENT_SECRET: 'b',
    OS_PASSWORD: 'c',
    OS_APPLICATION_CREDENTIAL_SECRET: 'd',
    GITHUB_TOKEN: 'e',
    AWS_SECRET_ACCESS_KEY: 'f',
    MY_API_KEY: 'g',
    VAULT_TOKEN: 'h',
    DB_PASSWD: 'i',
  });
  assert.deepEqual(Object.keys(env).sort(), ['DISPLAY', 'HOME', 'PATH', 'SSH_AUTH_SOCK', 'XAUTHORITY']);
});
