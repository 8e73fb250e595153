// Faults kubecred must survive: every one ends in one stderr line and exit 1 with the cache as it
// was (or, where the credential could be obtained, a printed credential and exit 0). Real kubecred
// runs against the IdP fixture, a real https server with an expired certificate, a closed port
// for Keystone, and (as root) real tmpfs mounts for a full disk and a read-only cache dir.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { createServer as createHttpsServer } from 'node:https';
import { connect, createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCa, writePems } from './fixtures/certs.js';
import { startOidcRig, type OidcRig } from './helpers/oidc/rig.js';
import { isolatedHome, kubecredBin, runKubecred, type RunResult } from './helpers/cli.js';

const root = process.getuid?.() === 0 && process.platform === 'linux';

function oneLineFailure(r: RunResult, pattern: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '', 'nothing on stdout');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one stderr line: ${r.stderr}`);
  assert.match(lines[0]!, /^kubecred: /);
  assert.match(lines[0]!, pattern);
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

const PASSWORD_ENV = { KUBECRED_PASSWORD: 'alice-password' };
const passwordArgs = (rig: OidcRig, extra: string[] = []) => ['get-token', 'oidc', ...rig.getTokenArgs(['--username', 'alice', ...extra])];

async function rig(t: TestContext, options?: Parameters<typeof startOidcRig>[0]): Promise<OidcRig> {
  const r = await startOidcRig(options);
  t.after(() => r.close());
  return r;
}

test('fault: IdP down (connection refused)', async (t) => {
  const { env } = isolatedHome();
  const port = await closedPort();
  const r = await runKubecred(
    ['get-token', 'oidc', '--issuer-url', `http://127.0.0.1:${port}`, '--client-id', 'k', '--username', 'alice'],
    { env: { ...env, ...PASSWORD_ENV } },
  );
  oneLineFailure(r, new RegExp(`127\\.0\\.0\\.1:${port} refused the connection`));
});

test('fault: IdP slower than --request-timeout', async (t) => {
  const idp = await rig(t);
  idp.idp.setDelay('discovery', 5000);
  oneLineFailure(await idp.kubecred(passwordArgs(idp, ['--request-timeout', '1s']), { env: PASSWORD_ENV }), /did not answer within 1s/);
  assert.equal(idp.cacheSnapshot(), '');
});

test('fault: IdP answers 500', async (t) => {
  const idp = await rig(t);
  idp.idp.failNext('discovery', { status: 500, body: 'Internal Server Error' });
  oneLineFailure(await idp.kubecred(passwordArgs(idp), { env: PASSWORD_ENV }), /answered HTTP 500/);
  assert.equal(idp.cacheSnapshot(), '');
});

test('fault: IdP answers malformed JSON', async (t) => {
  const idp = await rig(t);
  idp.idp.failNext('discovery', { status: 200, body: '{"issuer": "http://x", ' });
  oneLineFailure(await idp.kubecred(passwordArgs(idp), { env: PASSWORD_ENV }), /did not answer with JSON/);
  assert.equal(idp.cacheSnapshot(), '');
});

test('fault: IdP certificate signed by an unknown CA', async (t) => {
  const idp = await rig(t, { idp: { https: true } });
  const args = ['get-token', 'oidc', '--issuer-url', idp.idp.issuer, '--client-id', 'kubernetes', '--username', 'alice'];
  oneLineFailure(await idp.kubecred(args, { env: PASSWORD_ENV }), /TLS verification of 127\.0\.0\.1:\d+ failed .*--oidc-ca-file/);
  assert.equal(idp.cacheSnapshot(), '');
});

test('fault: IdP certificate expired (CA trusted)', async (t) => {
  const ca = await createCa();
  const pair = await ca.issueServerCert({ notBefore: new Date(Date.now() - 2 * 86400_000), notAfter: new Date(Date.now() - 86400_000) });
  const server = createHttpsServer({ cert: pair.cert, key: pair.key }, (_req, res) => res.end('{}'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  const { home, env } = isolatedHome();
  const { 'ca.crt': caFile } = await writePems(home, { 'ca.crt': ca.caPem });
  const issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const r = await runKubecred(
    ['get-token', 'oidc', '--issuer-url', issuer, '--client-id', 'k', '--username', 'alice', '--oidc-ca-file', caFile],
    { env: { ...env, ...PASSWORD_ENV } },
  );
  oneLineFailure(r, /CERT_HAS_EXPIRED.*expired; have it renewed, or check this machine's clock/);
});

test('fault: Keystone down (connection refused)', async () => {
  const { env } = isolatedHome();
  const port = await closedPort();
  const r = await runKubecred(
    ['get-token', 'keystone', '--auth-url', `http://127.0.0.1:${port}/v3`, '--username', 'demo', '--project-name', 'demo'],
    { env: { ...env, OS_PASSWORD: 'demo-password' } },
  );
  oneLineFailure(r, new RegExp(`Keystone: 127\\.0\\.0\\.1:${port} refused the connection`));
});

/** A tmpfs of `size` at a fresh dir (root on Linux only); unmounted after the test. */
function tmpfs(t: TestContext, size: string): string | undefined {
  const { home } = isolatedHome('kubecred-tmpfs-');
  const dir = join(home, 'mnt');
  mkdirSync(dir);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0700`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (err) {
    t.skip(`cannot mount a tmpfs here (${(err as Error).message.split('\n')[0]})`);
    return undefined;
  }
  t.after(() => {
    execFileSync('umount', ['-l', dir]);
    rmSync(home, { recursive: true, force: true });
  });
  return dir;
}

test(
  'fault: disk full during a cache write leaves the previous entry intact and no temp file',
  { skip: !root && 'needs root to mount a small tmpfs' },
  async (t) => {
    const idp = await rig(t);
    const mnt = tmpfs(t, '256k');
    if (!mnt) return;
    const cacheDir = join(mnt, 'kubecred');
    const args = passwordArgs(idp, ['--token-cache-dir', cacheDir]);
    const first = await idp.kubecred(args, { env: PASSWORD_ENV });
    assert.equal(first.code, 0, first.stderr);
    const entries = () =>
      readdirSync(cacheDir)
        .filter((n) => n.endsWith('.json'))
        .map((n) => readFileSync(join(cacheDir, n), 'utf8'));
    const before = entries();
    assert.equal(before.length, 1);
    // Fill the filesystem to the last byte.
    try {
      writeFileSync(join(mnt, 'filler'), Buffer.alloc(1024 * 1024));
    } catch (err) {
      assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
    }
    const r = await idp.kubecred([...args, '--force-refresh'], { env: PASSWORD_ENV });
    assert.deepEqual(entries(), before, 'the previous entry is intact');
    assert.deepEqual(
      readdirSync(cacheDir).filter((n) => n.endsWith('.tmp')),
      [],
      'no temp file left',
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).status.token, /^eyJ/, 'the new credential is still printed');
    assert.match(r.stderr, /ENOSPC/);
  },
);

test(
  'fault: read-only cache dir: get-token still prints the credential, warns once, exits 0',
  { skip: !root && 'needs root to mount a read-only tmpfs' },
  async (t) => {
    const idp = await rig(t);
    const mnt = tmpfs(t, '1m');
    if (!mnt) return;
    mkdirSync(join(mnt, 'kubecred'), { mode: 0o700 });
    try {
      execFileSync('mount', ['-o', 'remount,ro', mnt], { stdio: 'pipe' });
    } catch (err) {
      return t.skip(`cannot remount the tmpfs read-only here (${(err as Error).message.split('\n')[0]})`);
    }
    const r = await idp.kubecred(passwordArgs(idp, ['--token-cache-dir', join(mnt, 'kubecred')]), { env: PASSWORD_ENV });
    assert.equal(r.code, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).status.token, /^eyJ/);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0]!, /warning: .*(read-only|EROFS)/);
    assert.deepEqual(readdirSync(join(mnt, 'kubecred')), []);
  },
);

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

test(
  'fault: SIGINT during an interactive login leaves no lock, no temp file, no listening port',
  { skip: process.platform === 'win32' && 'signals' },
  async (t) => {
    const idp = await rig(t);
    const child = spawn(
      process.execPath,
      [kubecredBin, 'get-token', 'oidc', ...idp.getTokenArgs(['--browser-command', idp.browserCommand('record')])],
      {
        env: idp.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    const port = await new Promise<number>((resolve, reject) => {
      child.stderr.on('data', (d) => {
        stderr += d;
        const m = /redirect_uri=http%3A%2F%2Flocalhost%3A(\d+)/.exec(stderr);
        if (m) resolve(Number(m[1]));
      });
      child.once('exit', () => reject(new Error(`kubecred ended before the login was under way: ${stderr}`)));
    });
    assert.equal(await listening(port), true, 'the callback port was open');
    const exited = new Promise<number | null>((r) => child.once('exit', (code, signal) => r(code ?? (signal ? 128 : null))));
    child.kill('SIGINT');
    const code = await exited;
    assert.notEqual(code, 0);
    assert.equal(stdout, '');
    assert.equal(await listening(port), false, 'the port is closed');
    const left = existsSync(idp.cacheDir) ? readdirSync(idp.cacheDir) : [];
    assert.deepEqual(
      left.filter((n) => n.endsWith('.lock') || n.endsWith('.tmp')),
      [],
      `left: ${left.join(', ')}`,
    );
  },
);

test('fault: the lock holder killed with SIGKILL mid-refresh: the others take over after the stale time, at most one extra refresh', async (t) => {
  // Refresh tokens that do not rotate: a refresh the IdP finishes for a dead client must not cost the session.
  const idp = await rig(t, { idp: { rotateRefreshTokens: false } });
  const args = passwordArgs(idp);
  const first = await idp.kubecred(args, { env: PASSWORD_ENV });
  assert.equal(first.code, 0, first.stderr);
  idp.expireCachedTokens();
  idp.idp.resetCounts();
  idp.idp.setDelay('token', 30_000);
  // No password in its environment: the holder can only refresh.
  const holder = spawn(process.execPath, [kubecredBin, ...args], { env: idp.env, stdio: 'ignore' });
  const deadline = Date.now() + 30_000;
  while (idp.idp.counts.token < 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.equal(idp.idp.counts.token, 1, 'the holder sent its refresh');
  const locks = () => readdirSync(idp.cacheDir).filter((n) => n.endsWith('.lock'));
  assert.equal(locks().length, 1, 'and holds the lock');
  const exited = new Promise((r) => holder.once('exit', r));
  holder.kill('SIGKILL');
  await exited;
  idp.idp.setDelay('token', 0);
  const [a, b] = await Promise.all([idp.kubecred(args), idp.kubecred(args)]);
  assert.equal(a.code, 0, a.stderr);
  assert.equal(b.code, 0, b.stderr);
  assert.equal(JSON.parse(a.stdout).status.token, JSON.parse(b.stdout).status.token, 'one new token for both');
  assert.ok(idp.idp.counts.token <= 2, `token requests: ${idp.idp.counts.token} (the dead holder's and at most one more)`);
  assert.deepEqual(locks(), [], 'no lock left');
});
