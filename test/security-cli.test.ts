// Real kubecred runs against the IdP fixture, tried as an attacker on a shared machine would:
// planted cache entries, loose modes, forged callbacks, an IdP that echoes our secrets, and the
// places a secret must never appear (children's environ and cmdline, stderr at -v, files).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cachedSecrets, startOidcRig, type OidcRig } from './helpers/oidc/rig.js';
import { isolatedHome, runKubecred, type RunResult } from './helpers/cli.js';

const root = process.getuid?.() === 0;

function oneLineFailure(r: RunResult, pattern: RegExp): void {
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one stderr line: ${r.stderr}`);
  assert.match(lines[0]!, pattern);
}

/** get-token through the password grant: the quickest real login (no browser). */
function passwordArgs(rig: OidcRig, extra: string[] = []): string[] {
  return ['get-token', 'oidc', ...rig.getTokenArgs(['--username', 'alice', ...extra])];
}
const PASSWORD_ENV = { KUBECRED_PASSWORD: 'alice-password' };

function entryFiles(rig: OidcRig): string[] {
  return readdirSync(rig.cacheDir)
    .filter((n) => /^[0-9a-f]{64}\.json$/.test(n))
    .map((n) => join(rig.cacheDir, n));
}

/** Rewrites the (only) cache entry: expired, and its meta names `tokenEndpoint`. */
function plantStealingEntry(rig: OidcRig, tokenEndpoint: string, token: string): string {
  const [file] = entryFiles(rig);
  const entry = JSON.parse(readFileSync(file!, 'utf8'));
  entry.expiresAt = new Date(Date.now() - 60_000).toISOString();
  entry.credential = { token };
  entry.meta.server.token_endpoint = tokenEndpoint;
  writeFileSync(file!, JSON.stringify(entry));
  return file!;
}

async function stealServer(t: { after(fn: () => unknown): void }): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    req.resume();
    res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"invalid_grant"}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/steal`, hits: () => hits };
}

test(
  'a cache entry planted by another user (owner 65534) is not printed, and its token_endpoint never gets our refresh token',
  { skip: !root && 'needs root to chown to another uid' },
  async (t) => {
    const rig = await startOidcRig();
    t.after(() => rig.close());
    const args = passwordArgs(rig);
    assert.equal((await rig.kubecred(args, { env: PASSWORD_ENV })).code, 0);
    const steal = await stealServer(t);
    const file = plantStealingEntry(rig, steal.url, 'planted-token');
    const fresh = JSON.parse(readFileSync(file, 'utf8'));
    fresh.expiresAt = new Date(Date.now() + 3600_000).toISOString();
    writeFileSync(file, JSON.stringify(fresh));
    chownSync(file, 65534, 65534);
    rig.idp.resetCounts();
    const r = await rig.kubecred(args);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes('planted-token'), 'the planted token is never printed (fast path and full CLI)');
    assert.equal(steal.hits(), 0, 'nothing was sent to the planted endpoint');
    assert.equal(rig.idp.counts.token_by_grant.refresh_token, 1, 'refreshed at the configured issuer');
    assert.equal(rig.idp.counts.discovery, 1, 'endpoints came from discovery of --issuer-url');
    const warnings = r.stderr.trim().split('\n');
    assert.equal(warnings.length, 1, r.stderr);
    assert.match(warnings[0]!, /warning: cached token .* belongs to uid 65534, not you, so it is not trusted/);
    assert.equal(statSync(file).uid, 0, 'replaced by our own entry');
  },
);

test('in a world-writable cache dir, an entry writable by others is ignored; the dir is tightened on the next write', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const args = passwordArgs(rig);
  assert.equal((await rig.kubecred(args, { env: PASSWORD_ENV })).code, 0);
  const steal = await stealServer(t);
  const file = plantStealingEntry(rig, steal.url, 'planted-token');
  chmodSync(file, 0o666);
  chmodSync(rig.cacheDir, 0o777);
  const r = await rig.kubecred(args);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(steal.hits(), 0);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.match(r.stderr, /writable by other users \(mode 0777\), so it is not trusted/);
  assert.equal(statSync(rig.cacheDir).mode & 0o777, 0o700);
  assert.equal(statSync(file).mode & 0o777, 0o600);
});

test('a 0644 entry of ours is served by the full CLI with one warning and made 0600; then the fast path hits silently', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const args = passwordArgs(rig);
  const first = await rig.kubecred(args, { env: PASSWORD_ENV });
  assert.equal(first.code, 0);
  const [file] = entryFiles(rig);
  chmodSync(file!, 0o644);
  rig.idp.resetCounts();
  const r = await rig.kubecred(args);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, first.stdout, 'the same token, from the cache');
  assert.equal(rig.idp.counts.token, 0);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /warning: .*\.json was readable by other users \(mode 0644\); made it 0600/);
  assert.equal(statSync(file!).mode & 0o777, 0o600);
  const again = await rig.kubecred(args);
  assert.equal(again.stderr, '');
  assert.equal(again.stdout, first.stdout);
});

test('callback: a forged state and a foreign Host header get 404 and the login goes on; only the right state ends it; a replay does not log in twice', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const r = await rig.kubecred(['get-token', 'oidc', ...rig.getTokenArgs(['--browser-command', rig.browserCommand('probe-then-login')])]);
  assert.equal(r.code, 0, r.stderr);
  const log = readFileSync(rig.browserLog, 'utf8')
    .split('\n')
    .filter((l) => l.includes('Status'))
    .map((l) => JSON.parse(l));
  assert.equal(log[0].wrongStateStatus, 404);
  assert.equal(log[0].wrongHostStatus, 404);
  assert.equal(log[0].callbackStatus, 200);
  assert.notEqual(log[0].replayStatus, 200);
  assert.equal(rig.idp.counts.token_by_grant.authorization_code, 1, 'the code was exchanged once');
});

test('secrets: the --browser-command child gets no KUBECRED_PASSWORD, OS_* secret or secret-looking variable in its environ, no token in its cmdline', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  // (KUBECRED_CLIENT_SECRET would make this public client's login fail; the unit test in
  // store-trust.test.ts covers its removal.)
  const planted = {
    KUBECRED_PASSWORD: 'env-password-123',
    OS_PASSWORD: 'os-password-123',
    OS_APPLICATION_CREDENTIAL_SECRET: 'os-ac-secret-123',
    SOME_API_TOKEN: 'api-token-123',
  };
  const r = await rig.kubecred(['get-token', 'oidc', ...rig.getTokenArgs(['--browser-command', rig.browserCommand('environ'), '-v'])], {
    env: planted,
  });
  assert.equal(r.code, 0, r.stderr);
  const record = readFileSync(rig.browserLog, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"environ":['))
    .map((l) => JSON.parse(l))[0] as { environ: string[]; cmdline: string[] };
  assert.ok(
    record.environ.some((v) => v.startsWith('HOME=')),
    'the environ was read',
  );
  for (const [name, value] of Object.entries(planted)) {
    assert.ok(!record.environ.some((v) => v.startsWith(`${name}=`) || v.includes(value)), `${name} reached the browser`);
    assert.ok(!record.cmdline.join(' ').includes(value));
  }
  const tokens = cachedSecrets(rig);
  assert.ok(tokens.length >= 2, 'an ID token and a refresh token were kept');
  for (const s of tokens) assert.ok(!record.cmdline.join(' ').includes(s) && !record.environ.join('\n').includes(s));
});

test('secrets: no token, refresh token, password or client secret in stderr at -v, the kubeconfig, or a cache file where it does not belong', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const { clientId, clientSecret } = rig.idp.confidentialClient;
  const args = ['get-token', 'oidc', '--issuer-url', rig.idp.issuer, '--client-id', clientId, '--username', 'alice', '-v'];
  const env = { ...PASSWORD_ENV, KUBECRED_CLIENT_SECRET: clientSecret };
  const login = await rig.kubecred(args, { env });
  assert.equal(login.code, 0, login.stderr);
  rig.expireCachedTokens();
  const refresh = await rig.kubecred(args, { env });
  assert.equal(refresh.code, 0, refresh.stderr);
  const token = JSON.parse(refresh.stdout).status.token as string;
  const secretFiles = readdirSync(join(rig.cacheDir, 'secrets'))
    .filter((n) => !n.startsWith('.'))
    .map((n) => join(rig.cacheDir, 'secrets', n));
  const refreshToken = secretFiles.map((f) => readFileSync(f, 'utf8')).find((v) => v.length > 20)!;
  assert.ok(refreshToken, 'a refresh token is stored');
  const forbidden: Record<string, string> = { token, refreshToken, password: 'alice-password', clientSecret };
  for (const [what, value] of Object.entries(forbidden)) {
    assert.ok(!login.stderr.includes(value) && !refresh.stderr.includes(value), `${what} on stderr at -v`);
    if (existsSync(rig.kubeconfig)) assert.ok(!readFileSync(rig.kubeconfig, 'utf8').includes(value), `${what} in the kubeconfig`);
  }
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? walk(join(dir, d.name)) : [join(dir, d.name)]));
  for (const file of walk(rig.cacheDir)) {
    const text = readFileSync(file, 'utf8');
    const isEntry = /[0-9a-f]{64}\.json$/.test(file);
    const isSecret = file.includes(`${join(rig.cacheDir, 'secrets')}/`);
    assert.ok(!text.includes('alice-password'), `password in ${file}`);
    if (!isEntry) assert.ok(!text.includes(token), `token in ${file}`);
    if (!isSecret) assert.ok(!text.includes(refreshToken), `refresh token in ${file}`);
    if (!isSecret) assert.ok(!text.includes(clientSecret), `client secret in ${file}`);
    assert.equal(statSync(file).mode & 0o777, 0o600, `${file} is 0600`);
  }
});

test('an IdP that echoes our refresh token and password, with escape sequences: stderr and the .failed marker are scrubbed', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const args = passwordArgs(rig);
  assert.equal((await rig.kubecred(args, { env: PASSWORD_ENV })).code, 0);
  const secrets = cachedSecrets(rig);
  const refreshToken = secrets.find((s) => !s.startsWith('eyJ'))!;
  rig.expireCachedTokens();
  const echo = `bad refresh_token=${refreshToken} password=alice-password \u001b]0;owned\u0007\u001b[31m${'x'.repeat(5000)}`;
  rig.idp.failNext('token', { status: 400, body: { error: 'invalid_grant', error_description: echo }, times: 2 });
  const r = await rig.kubecred(args, { env: PASSWORD_ENV });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stdout, '');
  assert.ok(!r.stderr.includes(refreshToken), r.stderr);
  assert.ok(!r.stderr.includes('alice-password'), r.stderr);
  assert.ok(!/\u001b|\u0007/.test(r.stderr), 'no escape sequence reaches the terminal');
  assert.ok(r.stderr.length < 1000, 'clipped');
  for (const f of readdirSync(rig.cacheDir).filter((n) => n.endsWith('.failed'))) {
    const text = readFileSync(join(rig.cacheDir, f), 'utf8');
    assert.ok(!text.includes(refreshToken) && !text.includes('alice-password'), text);
  }
});

test('a failing get-token prints one line and writes nothing (no keyring notice, no marker)', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  rig.idp.failNext('token', { status: 500, body: 'down', times: 1 });
  const r = await rig.kubecred(passwordArgs(rig), { env: { ...PASSWORD_ENV, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' } });
  oneLineFailure(r, /^kubecred: .*answered HTTP 500/);
  const left = existsSync(rig.cacheDir) ? readdirSync(rig.cacheDir, { recursive: true }) : [];
  assert.deepEqual(
    left.filter((n) => !String(n).endsWith('.failed')),
    [],
    `nothing written: ${left.join(', ')}`,
  );
  // The failure marker (30 s fail-fast for other kubectl runs) is the one thing a failed login leaves.
  for (const n of left) rmSync(join(rig.cacheDir, String(n)));
  const ok = await rig.kubecred(passwordArgs(rig), { env: { ...PASSWORD_ENV, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' } });
  assert.equal(ok.code, 0, ok.stderr);
  assert.match(ok.stderr, /no Secret Service keyring is reachable/, 'the notice comes with the first secret stored');
});

test('Keystone over plain http to another machine is refused before anything is sent (exit 2)', async () => {
  const { env, home } = isolatedHome();
  // 192.0.2.0/24 is TEST-NET-1: nothing answers there, and kubecred must not even try.
  const r = await runKubecred(
    ['get-token', 'keystone', '--auth-url', 'http://192.0.2.10:5000/v3', '--username', 'demo', '--project-name', 'demo'],
    { env: { ...env, OS_PASSWORD: 'demo-password' } },
  );
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.match(r.stderr, /uses plain http to another machine, which would send the password in clear text: use its https:\/\/ URL/);
  assert.deepEqual(
    readdirSync(home, { recursive: true }).filter((n) => !String(n).startsWith('.kube')),
    [],
  );
});

test('an --issuer-url with user:password@ is refused (exit 2) and the password appears nowhere', async () => {
  const { env } = isolatedHome();
  const r = await runKubecred(
    ['get-token', 'oidc', '--issuer-url', 'http://u:SECRET-in-url@127.0.0.1:1/', '--client-id', 'k', '--username', 'alice'],
    { env: { ...env, ...PASSWORD_ENV } },
  );
  assert.equal(r.code, 2, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /--issuer-url must not contain a user name or password/);
  assert.ok(!r.stderr.includes('SECRET-in-url'));
  const setup = await runKubecred(
    [
      'setup-context',
      'oidc',
      '--context',
      'x',
      '--server',
      'https://127.0.0.1:6443',
      '--insecure-skip-tls-verify',
      '--issuer-url',
      'https://u:SECRET-in-url@idp.example/',
      '--client-id',
      'k',
    ],
    { env },
  );
  assert.equal(setup.code, 2, setup.stderr);
  assert.equal(setup.stderr.trim().split('\n').length, 1, setup.stderr);
  assert.ok(!setup.stderr.includes('SECRET-in-url'));
  assert.ok(
    !existsSync(env.KUBECONFIG!) || !readFileSync(env.KUBECONFIG!, 'utf8').includes('SECRET-in-url'),
    'not written into the kubeconfig',
  );
});

test('--insecure-skip-tls-verify (IdP) and --insecure (Keystone) each print one warning that TLS verification is off', async (t) => {
  const rig = await startOidcRig({ idp: { https: true } });
  t.after(() => rig.close());
  const r = await rig.kubecred(
    ['get-token', 'oidc', '--issuer-url', rig.idp.issuer, '--client-id', 'kubernetes', '--username', 'alice', '--insecure-skip-tls-verify'],
    { env: PASSWORD_ENV },
  );
  assert.equal(r.code, 0, r.stderr);
  const warnings = r.stderr
    .trim()
    .split('\n')
    .filter((l) => /TLS verification off/.test(l));
  assert.equal(warnings.length, 1, r.stderr);
  assert.match(warnings[0]!, /^kubecred: warning: --oidc-insecure-skip-tls-verify turns TLS verification off/);

  const { env } = isolatedHome();
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const ks = await runKubecred(
    ['get-token', 'keystone', '--auth-url', `http://127.0.0.1:${port}/v3`, '--username', 'demo', '--project-name', 'demo', '--insecure'],
    { env: { ...env, OS_PASSWORD: 'demo-password' } },
  );
  assert.equal(ks.code, 1);
  assert.match(ks.stderr, /^kubecred: warning: --insecure turns TLS verification off/m);
});

test('setup-context oidc --oidc-insecure-skip-tls-verify warns that it goes into the exec args', async () => {
  const { env } = isolatedHome();
  const r = await runKubecred(
    [
      'setup-context',
      'oidc',
      '--context',
      'x',
      '--server',
      'https://127.0.0.1:6443',
      '--insecure-skip-tls-verify',
      '--issuer-url',
      'https://idp.example',
      '--client-id',
      'k',
      '--oidc-insecure-skip-tls-verify',
    ],
    { env },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /warning: --oidc-insecure-skip-tls-verify goes into the exec args/);
  assert.match(r.stderr, /warning: --insecure-skip-tls-verify: the API server certificate is not verified/);
});

test('secrets: the kubectl that setup-context asks for its version gets no secret in its environ', async () => {
  const { env, home } = isolatedHome();
  const record = join(home, 'kubectl-environ');
  const fakeKubectl = join(home, 'kubectl');
  writeFileSync(
    fakeKubectl,
    `#!/bin/sh\ntr '\\0' '\\n' < /proc/$$/environ > ${record}\necho '{"clientVersion":{"major":"1","minor":"30"}}'\n`,
    { mode: 0o700 },
  );
  const planted = {
    KUBECRED_PASSWORD: 'env-password-123',
    KUBECRED_CLIENT_SECRET: 'env-client-secret-123',
    OS_PASSWORD: 'os-password-123',
  };
  const r = await runKubecred(
    [
      'setup-context',
      'oidc',
      '--context',
      'x',
      '--server',
      'https://127.0.0.1:6443',
      '--insecure-skip-tls-verify',
      '--issuer-url',
      'https://idp.example',
      '--client-id',
      'k',
    ],
    { env: { ...env, ...planted, KUBECTL: fakeKubectl } },
  );
  assert.equal(r.code, 0, r.stderr);
  const environ = readFileSync(record, 'utf8');
  assert.match(environ, /^HOME=/m, 'the fake kubectl ran');
  for (const [name, value] of Object.entries(planted))
    assert.ok(!environ.includes(name) && !environ.includes(value), `${name} reached kubectl`);
});
