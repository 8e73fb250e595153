// Secret and token storage against a REAL Secret Service (gnome-keyring in a private D-Bus
// session), the disk fallback when no keyring is reachable, and the disk secret store itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  accessSync,
  constants,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { deleteAllFor, openSecretStore, scopedSecrets, secretFileName } from '../src/store/secret-store.js';
import { secretsDir, tokenFile } from '../src/store/paths.js';

const CHILD = 'test/helpers/store/keyring-child.ts';
// Must match test/helpers/store/keyring-child.ts.
const KEY = 'f'.repeat(64);
const KEY2 = '0'.repeat(64);
const TOKEN = 'tok-SECRET-4f1c2a';
const posix = process.platform !== 'win32';

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => {
    try {
      accessSync(join(d, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const missing = ['gnome-keyring-daemon', 'dbus-run-session', 'dbus-send'].filter((c) => process.platform === 'linux' && !onPath(c));
const keyringSkip =
  process.platform !== 'linux'
    ? 'the real-keyring test drives gnome-keyring, Linux only'
    : missing.length > 0
      ? `${missing.join(' and ')} not found: apt-get install gnome-keyring dbus`
      : false;
if (keyringSkip) console.error(`\n*** store-keyring: SKIPPING the real-keyring test: ${keyringSkip} ***\n`);

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kubecred-keyring-'));
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** An environment with no desktop session: no bus, no display to show an unlock prompt on. */
function bareEnv(home: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: home,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_CACHE_HOME: join(home, 'cache'),
    XDG_CONFIG_HOME: join(home, 'config'),
  };
  mkdirSync(join(home, 'run'), { recursive: true, mode: 0o700 });
  env.XDG_RUNTIME_DIR = join(home, 'run');
  for (const v of ['DBUS_SESSION_BUS_ADDRESS', 'DISPLAY', 'WAYLAND_DISPLAY', 'GNOME_KEYRING_CONTROL', 'SSH_AUTH_SOCK']) delete env[v];
  return env;
}

type CacheEntryLike = { storage?: string; credential?: { token?: string } };
/**
 * A shell script for `dbus-run-session -- sh -c`: starts gnome-keyring in the private session,
 * runs `extra` lines, then the child in `mode`, and stops the daemon. --unlock reads the login
 * keyring password on stdin, creates the "login" collection with it (an EMPTY password creates
 * none, and writes then fail with "no result found"), unlocks it and daemonizes. It prints
 * GNOME_KEYRING_CONTROL=… only when its control socket is not in $XDG_RUNTIME_DIR/keyring; we
 * export whatever it prints. It normally dies with the bus, but to be sure we kill it by the pid
 * the bus knows.
 */
function keyringSessionScript(mode: string, extra: string[] = []): string {
  return [
    'set -e',
    'eval "$(printf kubecred-test | gnome-keyring-daemon --unlock --components=secrets)"',
    '[ -z "${GNOME_KEYRING_CONTROL:-}" ] || export GNOME_KEYRING_CONTROL',
    // --unlock returns before the daemon owns org.freedesktop.secrets: wait up to 10 s for it,
    // or the first call would make the bus activate a second daemon.
    'i=0',
    'until dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner ' +
      'string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; do',
    '  i=$((i+1)); [ $i -lt 100 ] || { echo "gnome-keyring-daemon never owned org.freedesktop.secrets" >&2; exit 3; }; sleep 0.1',
    'done',
    ...extra,
    'set +e',
    `"$KUBECRED_TEST_NODE" --import tsx ${CHILD} ${mode} "$KUBECRED_TEST_CACHE"`,
    'rc=$?',
    'pid=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.GetConnectionUnixProcessID ' +
      "string:org.freedesktop.secrets 2>/dev/null | awk '/uint32/ { print $2 }')",
    '[ -z "$pid" ] || kill "$pid"',
    'exit $rc',
  ].join('\n');
}

const notices = (stderr: string) => stderr.split('\n').filter((l) => l.startsWith('NOTICE '));

test('secrets and keyring tokens go to a real gnome-keyring', { skip: keyringSkip, timeout: 60_000 }, async (t) => {
  const home = tempDir();
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const cacheDir = join(home, 'cache-dir');
  const env = { ...bareEnv(home), KUBECRED_TEST_NODE: process.execPath, KUBECRED_TEST_CACHE: cacheDir };
  const script = keyringSessionScript('keyring');
  const r = await run('dbus-run-session', ['--', 'sh', '-c', script], env);
  assert.equal(r.code, 0, `child failed:\n${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  assert.equal(out.available, true, r.stderr);
  assert.equal(out.backend, 'keyring');
  assert.equal(out.get, 'rt-SECRET-1');
  assert.equal(out.rawAccount, 'rt-SECRET-1', 'stored under account secret/<key>/<name>');
  assert.equal(out.overwritten, 'rt-SECRET-2');
  assert.equal(out.deleted, true);
  assert.equal(out.deletedAgain, false);
  assert.equal(out.afterDelete, null);
  assert.equal(out.deleteAll, 2, 'password and client_secret');
  assert.deepEqual(out.afterDeleteAll, [null, null]);
  assert.equal(out.migrated, 'rt-left-on-disk');
  assert.equal(out.migratedInKeyring, 'rt-left-on-disk');
  assert.equal(out.leftOnDisk, null);
  assert.equal(out.tokenStorage, 'keyring');
  assert.deepEqual(out.read, {
    v: 1,
    provider: 'oidc',
    identity: { provider: 'oidc', issuer: 'https://idp.example' },
    storage: 'keyring',
    expiresAt: '2030-01-01T00:00:00.000Z',
    obtainedAt: '2029-12-31T23:00:00.000Z',
    credential: { token: TOKEN },
  });
  assert.equal(out.tokenInKeyring, JSON.stringify({ token: TOKEN }));
  assert.equal(out.removed, true);
  assert.equal(out.afterRemove, null);
  assert.deepEqual(notices(r.stderr), [], 'no notice when the keyring works');

  const onDisk = readFileSync(tokenFile(cacheDir, KEY), 'utf8');
  assert.equal(onDisk.includes(TOKEN), false, 'the token must not reach the disk cache file');
  assert.equal(JSON.parse(onDisk).storage, 'keyring');
  assert.equal(JSON.parse(onDisk).credential, undefined);
  assert.deepEqual(readdirSync(secretsDir(cacheDir)), [], 'no secret left on disk');
  // The collection really holds something (gnome-keyring persisted the login keyring).
  assert.ok(readdirSync(join(home, 'data', 'keyrings')).includes('login.keyring'));
});

test(
  'a locked keyring that cannot prompt: secrets and tokens land on disk, with a notice',
  { skip: keyringSkip, timeout: 60_000 },
  async (t) => {
    const home = tempDir();
    t.after(() => rmSync(home, { recursive: true, force: true }));
    const cacheDir = join(home, 'cache-dir');
    const env = { ...bareEnv(home), KUBECRED_TEST_NODE: process.execPath, KUBECRED_TEST_CACHE: cacheDir };
    // Lock the unlocked login collection again (Secret Service Lock needs no prompt): as over SSH
    // into a machine where nobody is logged in graphically, unlocking needs a prompt that cannot be
    // shown (no display), so every write is refused after a few seconds.
    const script = keyringSessionScript('locked', [
      'dbus-send --session --dest=org.freedesktop.secrets --print-reply /org/freedesktop/secrets ' +
        'org.freedesktop.Secret.Service.Lock array:objpath:/org/freedesktop/secrets/aliases/default >/dev/null',
    ]);
    const r = await run('dbus-run-session', ['--', 'sh', '-c', script], env);
    assert.equal(r.code, 0, `child failed:\n${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    assert.equal(out.available, true);
    assert.equal(out.backend, 'keyring');
    assert.equal(out.get, 'rt-SECRET-1');
    assert.equal(out.tokenStorage, 'keyring');
    assert.equal((out.read as CacheEntryLike).storage, 'disk');
    assert.equal((out.read as CacheEntryLike).credential?.token, TOKEN);
    const said = notices(r.stderr);
    assert.equal(said.length, 2, r.stderr);
    assert.match(said[0]!, /the keyring refused a secret .*kept in a 0600 file/);
    assert.match(said[1]!, /could not keep the token in the keyring/);
    assert.equal(readFileSync(join(secretsDir(cacheDir), secretFileName(`${KEY}/refresh_token`)), 'utf8'), 'rt-SECRET-1');
  },
);

test(
  'without a reachable keyring: disk, 0600 files, and each notice only once',
  { skip: !posix && 'POSIX modes', timeout: 60_000 },
  async (t) => {
    const home = tempDir();
    t.after(() => rmSync(home, { recursive: true, force: true }));
    const cacheDir = join(home, 'cache-dir');
    const args = ['--import', 'tsx', CHILD, 'fallback', cacheDir];
    // First run: no bus at all. Second: a bus address where nothing listens.
    const first = await run(process.execPath, args, bareEnv(join(home, 'a')));
    assert.equal(first.code, 0, first.stderr);
    const second = await run(process.execPath, args, {
      ...bareEnv(join(home, 'b')),
      DBUS_SESSION_BUS_ADDRESS: `unix:path=${join(home, 'no-bus')}`,
    });
    assert.equal(second.code, 0, second.stderr);

    for (const r of [first, second]) {
      const out = JSON.parse(r.stdout.trim()) as Record<string, unknown>;
      assert.equal(out.available, false);
      assert.equal(out.backend, 'disk');
      assert.equal(out.get, 'rt-SECRET-1');
      assert.equal(out.tokenStorage, 'disk');
      assert.equal((out.read as { credential: { token: string } }).credential.token, TOKEN);
    }
    const said = notices(first.stderr);
    assert.equal(said.length, 2, first.stderr);
    assert.match(said[0]!, new RegExp(`secrets .*kept in 0600 files in ${secretsDir(cacheDir).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    assert.match(said[0]!, /no Secret Service keyring is reachable/);
    assert.match(said[1]!, /--token-cache-storage keyring, but no keyring is reachable/);
    assert.deepEqual(notices(second.stderr), [], 'the notices are given once per cache dir');

    assert.equal(statSync(cacheDir).mode & 0o777, 0o700);
    assert.equal(statSync(secretsDir(cacheDir)).mode & 0o777, 0o700);
    const secretFile = join(secretsDir(cacheDir), secretFileName(`${KEY}/refresh_token`));
    assert.equal(statSync(secretFile).mode & 0o777, 0o600);
    assert.equal(readFileSync(secretFile, 'utf8'), 'rt-SECRET-1');
    assert.equal(statSync(tokenFile(cacheDir, KEY)).mode & 0o777, 0o600);
  },
);

test('disk secret store: odd names stay inside the dir, deleteAllFor is per key', async (t) => {
  const cacheDir = tempDir();
  t.after(() => rmSync(cacheDir, { recursive: true, force: true }));
  const store = await openSecretStore({ cacheDir, prefer: 'disk', notice: (m) => assert.fail(`unexpected notice ${m}`) });
  assert.equal(store.backend, 'disk');
  const odd = ['..', '.', '../escape', 'a/b/../c', 'ü ✓', '%2F', 'x'.repeat(400), 'x'.repeat(401)];
  for (const [i, name] of odd.entries()) await store.set(name, `v${i}`);
  for (const [i, name] of odd.entries()) assert.equal(await store.get(name), `v${i}`, name);
  const files = readdirSync(secretsDir(cacheDir));
  assert.equal(files.length, odd.length, 'distinct names never share a file');
  for (const f of files) assert.match(f, /^[A-Za-z0-9_%~-]{1,255}$/);
  assert.equal(readdirSync(cacheDir).sort().join(), 'secrets', 'nothing escaped the secrets dir');

  const mine = scopedSecrets(store, KEY);
  const theirs = scopedSecrets(store, KEY2);
  await mine.set('refresh_token', 'r1');
  await mine.set('some/other', 'o1');
  await theirs.set('refresh_token', 'r2');
  assert.equal(await store.get(`${KEY}/refresh_token`), 'r1');
  assert.equal(await deleteAllFor(store, KEY), 2);
  assert.equal(await mine.get('refresh_token'), undefined);
  assert.equal(await mine.get('some/other'), undefined);
  assert.equal(await theirs.get('refresh_token'), 'r2');
  assert.equal(await theirs.delete('refresh_token'), true);
  assert.equal(await theirs.delete('refresh_token'), false);
  assert.throws(() => scopedSecrets(store, 'a/b'));
});

test('disk secret store never follows a planted symlink', { skip: !posix && 'symlinks' }, async (t) => {
  const cacheDir = tempDir();
  t.after(() => rmSync(cacheDir, { recursive: true, force: true }));
  const store = await openSecretStore({ cacheDir, prefer: 'disk', notice: () => {} });
  await store.set('init', 'x');
  const victim = join(cacheDir, 'victim');
  writeFileSync(victim, 'precious');
  symlinkSync(victim, join(secretsDir(cacheDir), secretFileName('name')));
  assert.equal(await store.get('name'), undefined);
  await store.set('name', 'new');
  assert.equal(await store.get('name'), 'new');
  assert.equal(readFileSync(victim, 'utf8'), 'precious');
});
