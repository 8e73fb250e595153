// Every way an OIDC login or refresh can go wrong ends in ONE line on stderr, exit code 1, and a
// token cache left as it was. Forged IdP answers come from a tampering HTTP_PROXY.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:net';
import { readFileSync } from 'node:fs';
import * as jose from 'jose';
import { assertNoSecrets, cachedSecrets, startOidcRig, type OidcRig } from './helpers/oidc/rig.js';
import { startTamperProxy, type TamperProxy } from './helpers/oidc/tamper-proxy.js';
import type { RunResult } from './helpers/cli.js';

function errorLine(r: RunResult): string {
  const lines = r.stderr.trim().split('\n');
  assert.ok(!/^\s+at /m.test(r.stderr), `no stack trace: ${r.stderr}`);
  return lines.at(-1)!;
}

function assertOneLineFailure(r: RunResult, pattern: RegExp, code = 1): void {
  assert.equal(r.code, code, r.stderr);
  const line = errorLine(r);
  if (process.env.SHOW_ERRORS) process.stderr.write(`${line}\n`);
  assert.match(line, /^kubecred: /);
  assert.match(line, pattern);
  assert.equal(r.stdout, '', 'nothing for kubectl on stdout');
}

async function withProxy(t: { after(fn: () => unknown): void }): Promise<TamperProxy> {
  const proxy = await startTamperProxy();
  t.after(() => proxy.close());
  return proxy;
}

/** Replaces the ID token of token responses with one signed by the IdP but with changed claims. */
function forgeIdToken(rig: OidcRig, proxy: TamperProxy, change: Record<string, unknown>): void {
  proxy.rewrite.set('/token', async (json) => {
    if (typeof json.id_token !== 'string') return json;
    const claims = jose.decodeJwt(json.id_token);
    return { ...json, id_token: await rig.idp.signJwt({ ...claims, ...change }) };
  });
}

async function loginThroughProxy(rig: OidcRig, proxy: TamperProxy): Promise<RunResult> {
  return rig.kubecred(['get-token', 'oidc', ...rig.getTokenArgs(['--browser-command', rig.browserCommand()])], {
    env: { HTTP_PROXY: proxy.url },
  });
}

test('wrong state on the callback: a 404, and the login keeps waiting (here until its timeout)', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const r = await rig.kubecred([
    'get-token',
    'oidc',
    ...rig.getTokenArgs(['--authentication-timeout', '3s', '--browser-command', rig.browserCommand('wrong-state')]),
  ]);
  assertOneLineFailure(r, /no login completed within 3s/);
  assert.equal(rig.idp.counts.token, 0, 'the forged code never reached the IdP');
  assert.equal(rig.cacheSnapshot(), '');
  assert.match(readFileSync(rig.browserLog, 'utf8'), /"callbackStatus":404/);
});

test('a refused login: the error page escapes what the IdP sent', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const r = await rig.kubecred(['get-token', 'oidc', ...rig.getTokenArgs(['--browser-command', rig.browserCommand('deny')])]);
  assertOneLineFailure(r, /refused the login: access_denied/);
  const log = readFileSync(rig.browserLog, 'utf8');
  assert.ok(!log.includes('<script>'), 'no unescaped markup in the page');
  assert.match(log, /&#60;script&#62;/);
});

test('nonce mismatch in the ID token', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const proxy = await withProxy(t);
  forgeIdToken(rig, proxy, { nonce: 'not-the-one-we-sent' });
  assertOneLineFailure(await loginThroughProxy(rig, proxy), /wrong nonce/);
  assert.ok(proxy.seen.includes('/token'), 'the request went through HTTP_PROXY');
  assert.equal(rig.cacheSnapshot(), '');
});

test('wrong issuer: in discovery, and in the ID token', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const proxy = await withProxy(t);
  proxy.rewrite.set('/.well-known/openid-configuration', (json) => ({ ...json, issuer: 'https://idp.evil.example' }));
  assertOneLineFailure(await loginThroughProxy(rig, proxy), /says its issuer is "https:\/\/idp.evil.example"/);
  proxy.rewrite.clear();
  forgeIdToken(rig, proxy, { iss: 'https://idp.evil.example' });
  assertOneLineFailure(await loginThroughProxy(rig, proxy), /wrong issuer/);
  assert.equal(rig.cacheSnapshot(), '');
});

test('wrong audience in the ID token', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const proxy = await withProxy(t);
  forgeIdToken(rig, proxy, { aud: 'some-other-client' });
  assertOneLineFailure(await loginThroughProxy(rig, proxy), /not for client "kubernetes"/);
  assert.equal(rig.cacheSnapshot(), '');
});

test('an ID token signed with a key the IdP does not hold', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const proxy = await withProxy(t);
  const foreign = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  proxy.rewrite.set('/token', async (json) => {
    const claims = jose.decodeJwt(json.id_token as string);
    const forged = await new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' }).sign(foreign);
    return { ...json, id_token: forged };
  });
  assertOneLineFailure(await loginThroughProxy(rig, proxy), /ID token is not genuine/);
  assert.equal(rig.cacheSnapshot(), '');
});

/** Logs in, expires the cached token, returns the args and the cache as it is now. */
async function loggedInThenExpired(rig: OidcRig, extra: string[] = []): Promise<{ args: string[]; snapshot: string }> {
  const args = ['get-token', 'oidc', ...rig.getTokenArgs(['--browser-command', rig.browserCommand(), ...extra])];
  const first = await rig.kubecred(args);
  assert.equal(first.code, 0, first.stderr);
  rig.expireCachedTokens();
  return { args, snapshot: rig.cacheSnapshot() };
}

test('IdP answers 500 on refresh', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const { args, snapshot } = await loggedInThenExpired(rig);
  rig.idp.failNext('token', { status: 500, body: 'Internal Server Error', times: 5 });
  const r = await rig.kubecred(args);
  assertOneLineFailure(r, /answered HTTP 500/);
  assert.equal(rig.cacheSnapshot(), snapshot);
  assert.equal(rig.browserCalls(), 1, 'an IdP outage does not open a browser');
  assertNoSecrets(r.stderr, cachedSecrets(rig));
});

test('IdP does not answer in time', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const { args, snapshot } = await loggedInThenExpired(rig, ['--request-timeout', '1s']);
  rig.idp.setDelay('token', 5000);
  const r = await rig.kubecred(args);
  assertOneLineFailure(r, /did not answer within 1s/);
  assert.equal(rig.cacheSnapshot(), snapshot);
});

test('revoked refresh token without a way to log in', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const args = ['get-token', 'oidc', ...rig.getTokenArgs(['--username', 'alice'])];
  assert.equal((await rig.kubecred(args, { env: { KUBECRED_PASSWORD: 'alice-password' } })).code, 0);
  rig.expireCachedTokens();
  const snapshot = rig.cacheSnapshot();
  rig.idp.revokeAllRefreshTokens();
  assertOneLineFailure(await rig.kubecred(args), /no longer accepts the refresh token.*kubecred login --context/);
  assert.equal(rig.cacheSnapshot(), snapshot);
});

test('an https IdP signed by an unknown CA, then trusted with --oidc-ca-file', async (t) => {
  const rig = await startOidcRig({ idp: { https: true } });
  t.after(() => rig.close());
  const withoutCa = ['--issuer-url', rig.idp.issuer, '--client-id', 'kubernetes', '--username', 'alice'];
  const env = { KUBECRED_PASSWORD: 'alice-password' };
  assertOneLineFailure(await rig.kubecred(['get-token', 'oidc', ...withoutCa], { env }), /TLS verification of 127.0.0.1:\d+ failed/);
  assert.equal(rig.cacheSnapshot(), '');
  const ok = await rig.kubecred(['get-token', 'oidc', ...withoutCa, '--oidc-ca-file', rig.idpCaFile!], { env });
  assert.equal(ok.code, 0, ok.stderr);
});

test('every listen port busy', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const busy: Server[] = [];
  for (let i = 0; i < 2; i++) {
    const s = createServer();
    await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
    busy.push(s);
  }
  t.after(() => busy.forEach((s) => s.close()));
  const ports = busy.map((s) => (s.address() as { port: number }).port);
  const args = ['--issuer-url', rig.idp.issuer, '--client-id', 'kubernetes', '--browser-command', rig.browserCommand()];
  const r = await rig.kubecred([
    'get-token',
    'oidc',
    ...args,
    '--listen-address',
    `127.0.0.1:${ports[0]}`,
    '--listen-address',
    `127.0.0.1:${ports[1]}`,
  ]);
  assertOneLineFailure(r, new RegExp(`127.0.0.1:${ports[0]} is in use, 127.0.0.1:${ports[1]} is in use.*--listen-address`));
  assert.equal(rig.browserCalls(), 0);
  // One busy port is skipped: the next one of the list serves the callback.
  const ok = await rig.kubecred([
    'get-token',
    'oidc',
    ...args,
    '--listen-address',
    `127.0.0.1:${ports[0]}`,
    '--listen-address',
    '127.0.0.1:0',
  ]);
  assert.equal(ok.code, 0, ok.stderr);
});

test('--password is refused; --client-secret works with a warning', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const base = ['get-token', 'oidc', '--issuer-url', rig.idp.issuer];
  assertOneLineFailure(
    await rig.kubecred([...base, '--client-id', 'kubernetes', '--username', 'alice', '--password', 'alice-password']),
    /--password is refused.*KUBECRED_PASSWORD/,
    2,
  );
  const { clientId, clientSecret } = rig.idp.confidentialClient;
  const r = await rig.kubecred([
    ...base,
    '--client-id',
    clientId,
    '--oidc-client-secret',
    clientSecret,
    '--grant-type',
    'client-credentials',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr.match(/warning: --client-secret puts the client secret into your kubeconfig/g)?.length, 1);
  assert.ok(!r.stderr.includes(clientSecret));
  const again = await rig.kubecred([
    ...base,
    '--client-id',
    clientId,
    '--oidc-client-secret',
    clientSecret,
    '--grant-type',
    'client-credentials',
    '--force-refresh',
  ]);
  assert.equal(again.code, 0, again.stderr);
  assert.ok(!again.stderr.includes('warning: --client-secret'), 'warned once');
});

test('HTTPS_PROXY with an https IdP and its CA; NO_PROXY bypasses the proxy', async (t) => {
  const rig = await startOidcRig({ idp: { https: true } });
  t.after(() => rig.close());
  const proxy = await withProxy(t);
  const args = ['get-token', 'oidc', ...rig.getTokenArgs(['--username', 'alice'])];
  const viaProxy = await rig.kubecred(args, { env: { HTTPS_PROXY: proxy.url, KUBECRED_PASSWORD: 'alice-password' } });
  assert.equal(viaProxy.code, 0, viaProxy.stderr);
  const idpHost = new URL(rig.idp.issuer).host;
  assert.ok(proxy.tunnels.includes(idpHost), `tunnelled to ${idpHost}: ${proxy.tunnels.join(', ')}`);
  const tunnels = proxy.tunnels.length;
  const direct = await rig.kubecred([...args, '--force-refresh'], {
    env: { HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1', KUBECRED_PASSWORD: 'alice-password' },
  });
  assert.equal(direct.code, 0, direct.stderr);
  assert.equal(proxy.tunnels.length, tunnels, 'NO_PROXY kept the requests off the proxy');
});
