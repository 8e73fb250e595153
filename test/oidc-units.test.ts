// Unit tests of the OIDC provider's parts: settings, signature checks, the loopback server, the
// `auto` rules and setup-context's argument building. No IdP, no kubectl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import * as jose from 'jose';
import { parseFlags } from '../src/exec/flags.js';
import { UsageError } from '../src/shared/errors.js';
import { oidcGetTokenFlags } from '../src/providers/oidc/flags.js';
import { oidcIdentity } from '../src/providers/oidc/identity.js';
import { oidcSettings, parseListenAddress } from '../src/providers/oidc/settings.js';
import { checkSignature } from '../src/providers/oidc/jws.js';
import type { JwkSet } from '../src/providers/oidc/jwt.js';
import { callbackPage, startLoopbackServer } from '../src/infra/loopback-server.js';
import { chooseFlow, systemBrowserAvailable } from '../src/providers/oidc/grant-choice.js';
import { claimFields } from '../src/providers/oidc/setup.js';

const claimsSummary = (token: string) =>
  claimFields(token).map(([name, value]) => `${name}: ${Array.isArray(value) ? value.join(', ') : value}`);
import { cacheKey } from '../src/store/cache-key.js';
import type { ProviderContext } from '../src/providers/types.js';

const settingsOf = (argv: string[], env: Record<string, string> = {}) => oidcSettings(parseFlags(oidcGetTokenFlags, argv, env).values, env);
const base = ['--issuer-url', 'https://idp.example.com/realms/main', '--client-id', 'kubernetes'];

test('settings: defaults, kubelogin spellings, refusals', () => {
  const s = settingsOf([
    '--oidc-issuer-url=https://idp.example.com/realms/main',
    '--oidc-client-id=k',
    '--oidc-extra-scope=groups,email',
    '--oidc-extra-scope=openid',
  ]);
  assert.deepEqual(s.extraScopes, ['groups', 'email']);
  assert.deepEqual(s.listenAddresses, [
    { host: '127.0.0.1', port: 8000 },
    { host: '127.0.0.1', port: 18000 },
  ]);
  assert.equal(s.authTimeoutMs, 180_000);
  assert.equal(settingsOf([...base, '--authentication-timeout-sec', '30']).authTimeoutMs, 30_000);
  assert.throws(
    () => settingsOf([...base, '--password', 'x']),
    (e: Error) => e instanceof UsageError && /KUBECRED_PASSWORD/.test(e.message),
  );
  assert.throws(() => settingsOf([...base, '--auth-request-extra-param', 'state=x']), UsageError);
  assert.throws(() => settingsOf([...base, '--grant-type', 'implicit']), UsageError);
  assert.throws(() => settingsOf([...base, '--grant-type', 'password']), /needs --username/);
  assert.throws(() => settingsOf(['--client-id', 'k']), /--issuer-url is required/);
  assert.equal(settingsOf([...base], { KUBECRED_CLIENT_SECRET: 's' }).clientSecret, 's');
  assert.equal(settingsOf([...base, '--grant-type', 'client-credentials']).useAccessToken, true);
});

test('listen addresses: loopback, or an IP such as 0.0.0.0 marked exposed (the login warns)', () => {
  assert.deepEqual(parseListenAddress('localhost:0'), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseListenAddress('[::1]:8000'), { host: '::1', port: 8000 });
  assert.deepEqual(parseListenAddress(':9000'), { host: '127.0.0.1', port: 9000 });
  assert.deepEqual(parseListenAddress('0.0.0.0:8000'), { host: '0.0.0.0', port: 8000, exposed: true });
  assert.deepEqual(parseListenAddress('192.168.1.2:8000'), { host: '192.168.1.2', port: 8000, exposed: true });
  assert.throws(() => parseListenAddress('myhost.example:8000'), /give an IP address/);
  assert.throws(() => parseListenAddress('8000'), /host:port/);
});

test('the cache key ignores flag order, scope order and non-identity flags', () => {
  const key = (argv: string[]) => cacheKey(oidcIdentity(parseFlags(oidcGetTokenFlags, argv).values));
  const a = key([...base, '--extra-scope', 'groups,email', '--listen-address', '127.0.0.1:0']);
  const b = key([
    '--extra-scope',
    'email',
    '--client-id',
    'kubernetes',
    '--extra-scope',
    'groups',
    '--oidc-issuer-url',
    'https://idp.example.com/realms/main/',
  ]);
  assert.equal(a, b);
  assert.notEqual(a, key([...base, '--extra-scope', 'groups,email', '--use-access-token']));
  assert.notEqual(a, key([...base, '--extra-scope', 'groups,email', '--login-hint', 'bob']));
});

async function signedBy(alg: 'RS256' | 'PS256' | 'ES256', kid: string): Promise<{ token: string; jwks: JwkSet }> {
  const pair = alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  const token = await new jose.SignJWT({ sub: 'alice' }).setProtectedHeader({ alg, kid }).sign(pair.privateKey);
  return { token, jwks: { keys: [{ ...(pair.publicKey.export({ format: 'jwk' }) as { kty: string }), kid, use: 'sig' }] } };
}

test('JWS signatures: RS256, PS256, ES256 verify; forged, unknown-key, none and HMAC do not', async () => {
  for (const alg of ['RS256', 'PS256', 'ES256'] as const) {
    const { token, jwks } = await signedBy(alg, 'k1');
    assert.deepEqual(checkSignature(token, jwks), { result: 'valid' }, alg);
    const other = await signedBy(alg, 'k1');
    assert.equal(checkSignature(token, other.jwks).result, 'invalid', `${alg} with another key`);
    assert.deepEqual(checkSignature(token, { keys: [] }), { result: 'no-key', kid: 'k1' });
  }
  const { token, jwks } = await signedBy('RS256', 'k1');
  const [, payload] = token.split('.');
  const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${payload}.`;
  assert.equal(checkSignature(none, jwks).result, 'invalid');
  const hs = await new jose.SignJWT({ sub: 'alice' }).setProtectedHeader({ alg: 'HS256', kid: 'k1' }).sign(new Uint8Array(32));
  assert.match((checkSignature(hs, jwks) as { reason: string }).reason, /refuse/);
});

test('loopback server: skips busy ports, serves one callback, escapes, then closes', async () => {
  const busy: Server = createServer();
  await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
  const busyPort = (busy.address() as { port: number }).port;
  try {
    await assert.rejects(
      startLoopbackServer({ addresses: [{ host: '127.0.0.1', port: busyPort }], path: '/' }),
      /127\.0\.0\.1:\d+ is in use/,
    );
    const server = await startLoopbackServer({
      addresses: [
        { host: '127.0.0.1', port: busyPort },
        { host: '127.0.0.1', port: 0 },
      ],
      path: '/cb',
    });
    const base = `http://127.0.0.1:${server.address.port}`;
    assert.equal((await fetch(`${base}/other`)).status, 404);
    const answer = fetch(`${base}/cb?code=c&state=<s>`);
    const params = await server.callback;
    assert.equal(params.get('state'), '<s>');
    server.respond({ ok: false, message: '<img src=x onerror=alert(1)>' });
    const res = await answer;
    const html = await res.text();
    assert.equal(res.status, 400);
    assert.ok(!html.includes('<img'), html);
    assert.match(html, /&#60;img/);
    await server.close();
    await assert.rejects(fetch(`${base}/cb`));
  } finally {
    busy.close();
  }
  assert.ok(!callbackPage({ ok: true, message: '"\'&<>`' }).includes('"\'&<>`'));
});

test('auto rules', async () => {
  const ctx = (env: Record<string, string> = {}) => ({ infra: { env } }) as unknown as ProviderContext;
  const idp = (device: boolean) => async () => (device ? { device_authorization_endpoint: 'https://x/device' } : {});
  const grant = async (argv: string[], env?: Record<string, string>, device = true) =>
    (await chooseFlow(ctx(env), settingsOf([...base, ...argv]), idp(device))).flow;
  assert.deepEqual(await grant(['--username', 'u']), { grant: 'password' });
  assert.deepEqual(await grant(['--skip-open-browser', '--browser-command', 'x']), { grant: 'authcode', openBrowser: false });
  assert.deepEqual(await grant(['--browser-command', 'x']), { grant: 'authcode', openBrowser: true });
  if (!systemBrowserAvailable({}, 'linux')) {
    assert.deepEqual(await grant([], {}), { grant: 'device-code' });
    assert.deepEqual(await grant([], {}, false), { grant: 'authcode', openBrowser: false });
  }
  assert.deepEqual(await grant([], { DISPLAY: ':0' }), { grant: 'authcode', openBrowser: true });
  assert.deepEqual(await grant(['--grant-type', 'authcode-keyboard', '--username', 'u']), { grant: 'authcode-keyboard' });
  assert.equal(systemBrowserAvailable({}, 'darwin'), true);
});

test('who-am-I summary of a token', () => {
  const token = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
  assert.deepEqual(claimsSummary(token({ sub: 'u1', preferred_username: 'alice', groups: ['dev'] })), [
    'user: alice (sub u1)',
    'groups: dev',
  ]);
  assert.deepEqual(claimsSummary(token({ sub: 'u1', iam_roles: ['m:kaas@writer'], realm_access: { roles: ['offline_access'] } })), [
    'user: u1',
    'realm roles: offline_access',
    'iam_roles: m:kaas@writer',
  ]);
  assert.match(claimsSummary('opaque')[0]!, /opaque/);
  assert.deepEqual(
    claimsSummary(token({ sub: 'u1' })).at(-1),
    'groups: none in the token: RBAC sees the user name only (ask for a groups scope or mapper)',
  );
});

test('device flow QR code for terminals', async () => {
  const { terminalQrCode } = await import('../src/infra/qr.js');
  const qr = await terminalQrCode('https://idp.example.com/device?user_code=ABCD-EFGH');
  assert.ok(qr && qr.split('\n').length > 10, 'a multi-line QR code');
});

test('loopback server over https (--local-server-cert/--local-server-key)', async () => {
  const { createCa } = await import('./fixtures/certs.js');
  const https = await import('node:https');
  const ca = await createCa('loopback-test-ca');
  const tls = await ca.issueServerCert();
  const server = await startLoopbackServer({ addresses: [{ host: '127.0.0.1', port: 0 }], path: '/', tls });
  const got = new Promise<number>((resolve, reject) =>
    https
      .get(`https://127.0.0.1:${server.address.port}/?code=c&state=s`, { ca: ca.caPem }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject),
  );
  assert.equal((await server.callback).get('code'), 'c');
  server.respond({ ok: true, message: 'ok' });
  assert.equal(await got, 200);
  await server.close();
});
