// The hostile input catalogue: each entry is one real kubecred run fed something malformed or
// forged, and each must end the same way — exit 1 (2 for usage), exactly one stderr line, nothing on
// stdout, nothing written (cache dir and kubeconfig as they were). Forged IdP answers come from the
// tampering proxy in front of the real IdP; forged Keystone answers from a small hostile server.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as jose from 'jose';
import { startOidcRig, type OidcRig } from './helpers/oidc/rig.js';
import { startTamperProxy, type TamperProxy } from './helpers/oidc/tamper-proxy.js';
import { isolatedHome, runKubecred, type RunResult } from './helpers/cli.js';

/** What an interactive login prints before its outcome (the URL to open, the test browser's notes). */
const PROGRESS = /^(kubecred: opening a browser to log in at |https?:\/\/|browser-http: )/;

/**
 * The catalogue's outcome: exit code, one error line, empty stdout. Browser logins print the
 * "opening a browser … visit: URL" progress first; nothing else may come before the error.
 */
function rejected(r: RunResult, pattern: RegExp, code = 1): void {
  assert.equal(r.code, code, r.stderr);
  assert.equal(r.stdout, '', 'nothing on stdout');
  const lines = r.stderr
    .trim()
    .split('\n')
    .filter((l) => !PROGRESS.test(l));
  assert.equal(lines.length, 1, `exactly one stderr line: ${r.stderr.slice(0, 2000)}`);
  assert.match(lines[0]!, /^kubecred: /);
  assert.ok(lines[0]!.length < 1000, 'a short line');
  if (process.env.SHOW_ERRORS) process.stderr.write(`${lines[0]}\n`);
  assert.match(lines[0]!, pattern);
}

/**
 * Files under a dir (recursive), for "nothing written". The `<key>.failed` marker of a failed login
 * is the one exception by design: for 30 s it makes other kubectl runs fail fast with its
 * (scrubbed) reason instead of opening more browser tabs.
 */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && !d.name.endsWith('.failed'))
    .map((d) => d.name);
}

const PASSWORD_ENV = { KUBECRED_PASSWORD: 'alice-password' };

async function oidc(t: TestContext): Promise<{ rig: OidcRig; proxy: TamperProxy }> {
  const rig = await startOidcRig();
  const proxy = await startTamperProxy();
  t.after(() => Promise.all([rig.close(), proxy.close()]));
  return { rig, proxy };
}

function passwordLogin(rig: OidcRig, proxy: TamperProxy): Promise<RunResult> {
  return rig.kubecred(['get-token', 'oidc', ...rig.getTokenArgs(['--username', 'alice'])], {
    env: { ...PASSWORD_ENV, HTTP_PROXY: proxy.url },
  });
}

/** Replaces the ID token in token responses. */
function forgeIdToken(proxy: TamperProxy, forge: (original: string) => string | Promise<string>): void {
  proxy.rewrite.set('/token', async (json) =>
    typeof json.id_token === 'string' ? { ...json, id_token: await forge(json.id_token) } : json,
  );
}

const b64url = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

// --- KUBERNETES_EXEC_INFO -------------------------------------------------------------------

test('hostile: malformed KUBERNETES_EXEC_INFO', async () => {
  const { env, home } = isolatedHome();
  const r = await runKubecred(['get-token', 'oidc', '--issuer-url', 'https://idp.example', '--client-id', 'k'], {
    env: { ...env, KUBERNETES_EXEC_INFO: '{"apiVersion": "client.authentication.k8s.io/v1", ' },
  });
  rejected(r, /KUBERNETES_EXEC_INFO is not valid JSON/);
  assert.deepEqual(
    filesUnder(home).filter((n) => n !== 'config'),
    [],
  );
});

test('hostile: 127 KB of garbage in KUBERNETES_EXEC_INFO', async () => {
  const { env, home } = isolatedHome();
  const r = await runKubecred(['get-token', 'oidc', '--issuer-url', 'https://idp.example', '--client-id', 'k'], {
    env: { ...env, KUBERNETES_EXEC_INFO: '{'.repeat(127 * 1024) },
  });
  rejected(r, /KUBERNETES_EXEC_INFO is not valid JSON/);
  assert.deepEqual(filesUnder(home), []);
});

test('hostile: 127 KB KUBERNETES_EXEC_INFO with wrong field types', async () => {
  const { env, home } = isolatedHome();
  const info = {
    apiVersion: 'client.authentication.k8s.io/v1',
    kind: 'ExecCredential',
    spec: { interactive: 'yes', cluster: { server: 5, 'certificate-authority-data': 'A'.repeat(127 * 1024) } },
  };
  const r = await runKubecred(['get-token', 'oidc', '--issuer-url', 'https://idp.example', '--client-id', 'k'], {
    env: { ...env, KUBERNETES_EXEC_INFO: JSON.stringify(info) },
  });
  rejected(r, /KUBERNETES_EXEC_INFO: spec\.interactive is not a boolean/);
  assert.deepEqual(filesUnder(home), []);
});

// --- kubeconfig ----------------------------------------------------------------------------

function hostileKubeconfig(name: string, text: string, pattern: RegExp): void {
  test(`hostile: kubeconfig with ${name}`, async () => {
    const { env, home } = isolatedHome();
    writeFileSync(env.KUBECONFIG!, text, { mode: 0o600 });
    const r = await runKubecred(['login', '--context', 'test'], { env });
    rejected(r, pattern);
    assert.equal(readFileSync(env.KUBECONFIG!, 'utf8'), text, 'the kubeconfig is left as it was');
    assert.deepEqual(
      filesUnder(home).filter((n) => n !== 'config'),
      [],
      'nothing else written',
    );
  });
}

const user = (exec: string) => `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://127.0.0.1:6443"}
users:
- name: u
  user:
    exec:
${exec}
contexts:
- name: test
  context: {cluster: c, user: u}
current-context: test
`;

hostileKubeconfig(
  'duplicate context names',
  `apiVersion: v1\nkind: Config\ncontexts:\n- name: test\n  context: {cluster: a, user: a}\n- name: test\n  context: {cluster: b, user: b}\n`,
  /duplicate context name "test"/,
);
hostileKubeconfig('clusters of the wrong type', `apiVersion: v1\nkind: Config\nclusters: 5\n`, /clusters is not a list/);
hostileKubeconfig(
  'exec.command: 5',
  user('      apiVersion: client.authentication.k8s.io/v1\n      command: 5\n      args: [get-token, oidc]'),
  /user "u" has an exec block kubecred cannot read \(exec\.command: expected string\)/,
);
hostileKubeconfig(
  'exec.args of the wrong type',
  user('      apiVersion: client.authentication.k8s.io/v1\n      command: kubecred\n      args: {a: 1}'),
  /exec\.args: expected array/,
);
hostileKubeconfig(
  'a YAML alias bomb',
  `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ncontexts: []\n`,
  /cannot be expanded \(Excessive alias count/,
);
hostileKubeconfig('10 MB of content', `apiVersion: v1\nkind: Config\n# ${'x'.repeat(10 * 1024 * 1024)}\n`, /larger than 8 MiB/);

// --- ID tokens -------------------------------------------------------------------------------

function hostileIdToken(name: string, forge: (original: string, rig: OidcRig) => string | Promise<string>, pattern: RegExp): void {
  test(`hostile: ID token ${name}`, async (t) => {
    const { rig, proxy } = await oidc(t);
    forgeIdToken(proxy, (original) => forge(original, rig));
    rejected(await passwordLogin(rig, proxy), pattern);
    assert.deepEqual(filesUnder(rig.cacheDir), [], 'nothing cached, no secret stored');
  });
}

hostileIdToken('that is not a JWT', () => 'not-a-jwt', /ID token kubecred refuses \(Invalid JWT\)/);
hostileIdToken(
  'with alg none',
  (original) => `${b64url({ alg: 'none', typ: 'JWT' })}.${original.split('.')[1]}.`,
  /ID token kubecred refuses \(unexpected JWT "alg"/,
);
hostileIdToken(
  'signed HS256 with the IdP public key as the secret',
  async (original, rig) => {
    const jwks = (await (await fetch(`${rig.idp.issuer}/jwks`)).json()) as { keys: Array<import('node:crypto').JsonWebKey> };
    const rsa = jwks.keys.find((k) => k.kty === 'RSA')!;
    const pem = createPublicKey({ key: rsa, format: 'jwk' }).export({ type: 'spki', format: 'pem' });
    const signingInput = `${b64url({ alg: 'HS256', typ: 'JWT', kid: 'rsa-1' })}.${original.split('.')[1]}`;
    return `${signingInput}.${createHmac('sha256', pem).update(signingInput).digest('base64url')}`;
  },
  /ID token kubecred refuses \(unexpected JWT "alg"/,
);
hostileIdToken(
  'with a wrong signature',
  (original) => {
    const [h, p, s] = original.split('.');
    return `${h}.${p}.${s!.slice(0, 10)}${s![10] === 'A' ? 'B' : 'A'}${s!.slice(11)}`;
  },
  /ID token is not genuine/,
);
hostileIdToken(
  'from another issuer',
  async (original, rig) => rig.idp.signJwt({ ...jose.decodeJwt(original), iss: 'https://evil.example' }),
  /wrong issuer|issued by someone else/,
);
hostileIdToken(
  'for another audience',
  async (original, rig) => rig.idp.signJwt({ ...jose.decodeJwt(original), aud: 'someone-else' }),
  /not for client/,
);
hostileIdToken(
  'that has expired',
  async (original, rig) => {
    const now = Math.floor(Date.now() / 1000);
    return rig.idp.signJwt({ ...jose.decodeJwt(original), iat: now - 7200, exp: now - 3600 });
  },
  /expired/,
);

test('hostile: ID token with a nonce that is not ours (authcode)', async (t) => {
  const { rig, proxy } = await oidc(t);
  forgeIdToken(proxy, async (original) => rig.idp.signJwt({ ...jose.decodeJwt(original), nonce: 'forged-nonce' }));
  const r = await rig.kubecred(['get-token', 'oidc', ...rig.getTokenArgs(['--browser-command', rig.browserCommand()])], {
    env: { HTTP_PROXY: proxy.url },
  });
  rejected(r, /wrong nonce/);
  assert.deepEqual(filesUnder(rig.cacheDir), []);
});

// --- the loopback callback ------------------------------------------------------------------

test('hostile: callback with HTML/JS in error_description', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const r = await rig.kubecred(['get-token', 'oidc', ...rig.getTokenArgs(['--browser-command', rig.browserCommand('deny')])]);
  rejected(r, /the IdP refused the login: access_denied/);
  const log = readFileSync(rig.browserLog, 'utf8');
  assert.ok(!log.includes('<script>alert(1)</script>'), 'the page escapes it');
  assert.match(log, /"callbackStatus":400/);
  assert.deepEqual(filesUnder(rig.cacheDir), []);
});

test('hostile: callback with a wrong state, then the right one: only the right one counts; replaying the code logs in no one', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const r = await rig.kubecred(['get-token', 'oidc', ...rig.getTokenArgs(['--browser-command', rig.browserCommand('probe-then-login')])]);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(
    readFileSync(rig.browserLog, 'utf8')
      .split('\n')
      .find((l) => l.includes('wrongStateStatus'))!,
  );
  assert.deepEqual([result.wrongStateStatus, result.wrongHostStatus, result.callbackStatus], [404, 404, 200]);
  assert.ok(result.replayStatus === 409 || result.replayStatus === 0, `a replayed callback is refused (${result.replayStatus})`);
  assert.equal(rig.idp.counts.token_by_grant.authorization_code, 1);
});

// --- oversized IdP answers ----------------------------------------------------------------

test('hostile: oversized discovery document (2 MB)', async (t) => {
  const { rig } = await oidc(t);
  rig.idp.failNext('discovery', { status: 200, body: { issuer: rig.idp.issuer, padding: 'x'.repeat(2 * 1024 * 1024) } });
  rejected(
    await rig.kubecred(['get-token', 'oidc', ...rig.getTokenArgs(['--username', 'alice'])], { env: PASSWORD_ENV }),
    /larger than 1024 KiB/,
  );
  assert.deepEqual(filesUnder(rig.cacheDir), []);
});

test('hostile: oversized token response (2 MB ID token)', async (t) => {
  const { rig, proxy } = await oidc(t);
  proxy.rewrite.set('/token', (json) => ({ ...json, padding: 'x'.repeat(2 * 1024 * 1024) }));
  rejected(await passwordLogin(rig, proxy), /larger than 1024 KiB/);
  assert.deepEqual(filesUnder(rig.cacheDir), []);
});

test('hostile: oversized JWKS', async (t) => {
  const { rig, proxy } = await oidc(t);
  proxy.rewrite.set('/jwks', (json) => ({ ...json, padding: 'x'.repeat(2 * 1024 * 1024) }));
  rejected(await passwordLogin(rig, proxy), /larger than 1024 KiB/);
  assert.deepEqual(filesUnder(rig.cacheDir), []);
});

// --- Keystone -----------------------------------------------------------------------------

async function hostileKeystone(t: TestContext, answer: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ url: string }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => answer(req, res));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3` };
}

async function keystoneGetToken(url: string): Promise<{ r: RunResult; home: string }> {
  const { env, home } = isolatedHome();
  const r = await runKubecred(['get-token', 'keystone', '--auth-url', url, '--username', 'demo', '--project-name', 'demo'], {
    env: { ...env, OS_PASSWORD: 'demo-password' },
  });
  return { r, home };
}

const tokenBody = (expires: unknown) =>
  JSON.stringify({
    token: { methods: ['password'], expires_at: expires, user: { id: 'u1', name: 'demo' }, project: { id: 'p1', name: 'demo' } },
  });

test('hostile: Keystone answers 201 without X-Subject-Token', async (t) => {
  const ks = await hostileKeystone(t, (_req, res) =>
    res.writeHead(201, { 'content-type': 'application/json' }).end(tokenBody('2099-01-01T00:00:00.000000Z')),
  );
  const { r, home } = await keystoneGetToken(ks.url);
  rejected(r, /answered without a token \(no X-Subject-Token header\)/);
  assert.deepEqual(filesUnder(home), []);
});

test('hostile: Keystone expires_at: 12345', async (t) => {
  const ks = await hostileKeystone(t, (_req, res) =>
    res.writeHead(201, { 'content-type': 'application/json', 'x-subject-token': 'gAAAA-token' }).end(tokenBody(12345)),
  );
  const { r, home } = await keystoneGetToken(ks.url);
  rejected(r, /token response kubecred cannot read \(token\.expires_at: expected string\)/);
  assert.deepEqual(filesUnder(home), []);
});

test('hostile: Keystone error message echoing the password, with escape sequences, 10 MB long', async (t) => {
  const message = `Invalid password demo-password for user \u001b[2J\u001b]0;pwned\u0007${'x'.repeat(10 * 1024 * 1024)}`;
  const ks = await hostileKeystone(t, (_req, res) =>
    res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 500, message } })),
  );
  const { r, home } = await keystoneGetToken(ks.url);
  // A 10 MB body passes the 1 MiB cap: the message is then not read at all.
  rejected(r, /Keystone at 127\.0\.0\.1:\d+ failed \(500: /);
  assert.ok(!r.stderr.includes('demo-password') && !/\u001b|\u0007/.test(r.stderr));
  assert.deepEqual(filesUnder(home), []);
});

test('hostile: Keystone error message echoing the password (small): scrubbed', async (t) => {
  const ks = await hostileKeystone(t, (_req, res) =>
    res
      .writeHead(400, { 'content-type': 'application/json' })
      .end(JSON.stringify({ error: { code: 400, message: 'bad request: {"password": "demo-password"} \u001b[31mred' } })),
  );
  const { r, home } = await keystoneGetToken(ks.url);
  rejected(r, /\[redacted\]/);
  assert.ok(!r.stderr.includes('demo-password') && !/\u001b/.test(r.stderr), r.stderr);
  assert.deepEqual(filesUnder(home), []);
});
