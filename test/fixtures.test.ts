// Proves the test fixtures behave like the real thing: kube-apiserver authentication
// (checked with a real kubectl), the oidc-provider based IdP, and the test PKI.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import http from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import * as jose from 'jose';
import * as client from 'openid-client';
import { createCa, subjectOf } from './fixtures/certs.js';
import { startApiServer, type ApiServerHandle } from './fixtures/apiserver.js';
import { getJson } from './fixtures/apiserver-auth.js';
import { startIdp, completeLogin, completeLoginAndFollow, completeDeviceLogin, type IdpHandle } from './fixtures/idp.js';
import { authCodeFlow, confidentialClientConfig, oauthErrorCode, publicClientConfig } from './fixtures/oidc-client.js';
import {
  execCredentialApiVersionFor,
  requireKubectl,
  runKubectl,
  runWhoami,
  writeKubeconfig,
  type KubeconfigUser,
} from './fixtures/kubectl.js';

const UNAUTHORIZED_BODY =
  '{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}';
const ALICE = { username: 'alice', password: 'alice-password' };

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kubecred-fixtures-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('certs', () => {
  test('server cert has SAN 127.0.0.1/localhost; client cert has CN=user and one O per group', async () => {
    const ca = await createCa();
    const caCert = new X509Certificate(ca.caPem);
    const server = new X509Certificate((await ca.issueServerCert()).cert);
    assert.ok(server.verify(caCert.publicKey));
    assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(server.checkHost('localhost'), 'localhost');
    const c = await ca.issueClientCert('carol', ['admins', 'dev, ops']);
    assert.ok(new X509Certificate(c.cert).verify(caCert.publicKey));
    assert.match(c.key, /^-----BEGIN PRIVATE KEY-----/);
    assert.deepEqual(subjectOf(c.cert), { user: 'carol', groups: ['admins', 'dev, ops'] });
  });
});

describe('apiserver (OIDC, x509, static, keystone) with real kubectl', () => {
  let idp: IdpHandle;
  let api: ApiServerHandle;
  let keystone: http.Server;
  let idToken: string;

  before(async () => {
    idp = await startIdp();
    keystone = http.createServer((req, res) => {
      const tok = req.headers['x-subject-token'];
      const bodies: Record<string, unknown> = {
        'ks-scoped': {
          token: {
            user: { id: 'u-1', name: 'dave', domain: { id: 'default', name: 'Default' } },
            project: { id: 'p-1', name: 'demo' },
            roles: [{ name: 'member' }],
          },
        },
        'ks-unscoped': { token: { user: { id: 'u-1', name: 'dave', domain: { id: 'default', name: 'Default' } }, roles: [] } },
      };
      const body = req.url === '/v3/auth/tokens' && req.headers['x-auth-token'] === tok ? bodies[String(tok)] : undefined;
      res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? { error: { code: 404 } }));
    });
    await new Promise<void>((r) => keystone.listen(0, '127.0.0.1', r));
    api = await startApiServer({
      oidc: { issuerUrl: idp.issuer, clientId: idp.publicClientId, usernameClaim: 'email', groupsClaim: 'groups' },
      keystone: { authUrl: `http://127.0.0.1:${(keystone.address() as AddressInfo).port}/v3` },
      staticTokens: { 'static-token': { user: 'static-user', groups: ['static-group'] } },
    });
    api.putSecret('default', 'db', { password: 's3cr3t', user: 'admin' });
    api.putSecret('other', 'x', { k: 'v' });
    const id = (await authCodeFlow(idp, ALICE)).tokens.id_token;
    assert.ok(id);
    idToken = id;
  });
  after(async () => {
    await api.close();
    await idp.close();
    await new Promise((r) => keystone.close(r));
  });

  const kubeconfig = (name: string, user: KubeconfigUser) =>
    writeKubeconfig(join(dir, name), { server: api.url, caPem: api.caPem, user, namespace: 'default' });

  test('kubectl with an IdP id_token: /version, get secret -o yaml, table list, whoami', async (t) => {
    if (!requireKubectl(t)) return;
    const kc = await kubeconfig('oidc', { token: idToken });
    const v = await runKubectl(['get', '--raw', '/version'], { kubeconfig: kc });
    assert.equal(v.code, 0, v.stderr);
    assert.equal(JSON.parse(v.stdout).gitVersion, 'v1.32.0-kubecred-fixture');
    const y = await runKubectl(['get', 'secret', 'db', '-o', 'yaml'], { kubeconfig: kc });
    assert.equal(y.code, 0, y.stderr);
    assert.match(y.stdout, new RegExp(`password: ${Buffer.from('s3cr3t').toString('base64')}`));
    assert.match(y.stdout, /kind: Secret/);
    const list = await runKubectl(['get', 'secrets'], { kubeconfig: kc });
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^NAME\s+AGE\n/);
    assert.match(list.stdout, /^db\s/m);
    assert.doesNotMatch(list.stdout, /^x\s/m);
    const missing = await runKubectl(['get', 'secret', 'nope'], { kubeconfig: kc });
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /secrets "nope" not found/);
    const who = await runWhoami({ kubeconfig: kc });
    assert.equal(who.code, 0, who.stderr);
    const info = JSON.parse(who.stdout).status.userInfo;
    assert.equal(info.username, 'alice@example.com');
    assert.deepEqual(info.groups, ['developers', 'kube-admins', 'system:authenticated']);
    assert.ok(api.requestsBy('alice@example.com').every((r) => r.authMethod === 'oidc'));
  });

  test('kubectl with a bad or expired token → Unauthorized, exit 1', async (t) => {
    if (!requireKubectl(t)) return;
    const before401 = api.unauthorizedCount;
    const expired = await idp.signJwt({ sub: 'alice', email: 'alice@example.com', exp: Math.floor(Date.now() / 1000) - 5 });
    for (const token of ['garbage', expired, `${idToken.slice(0, -4)}AAAA`]) {
      const r = await runKubectl(['get', '--raw', '/version'], { kubeconfig: await kubeconfig('bad', { token }) });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /You must be logged in to the server \(Unauthorized\)/);
    }
    assert.ok(api.unauthorizedCount >= before401 + 3);
  });

  test('OIDC validation rejects what kube-apiserver rejects (direct HTTPS)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const base = { sub: 'alice', email: 'alice@example.com', email_verified: true, groups: ['g'] };
    const ok = await api.request('/version', { token: await idp.signJwt(base) });
    assert.equal(ok.status, 200);
    assert.equal(
      (await api.request('/version', { token: await idp.signJwt({ ...base, aud: ['other', idp.publicClientId] }) })).status,
      200,
    );
    const foreign = await jose.generateKeyPair('RS256');
    const cases: Record<string, string> = {
      'wrong issuer': await idp.signJwt({ ...base, iss: 'http://127.0.0.1:1' }),
      'wrong audience': await idp.signJwt({ ...base, aud: 'someone-else' }),
      expired: await idp.signJwt({ ...base, exp: now - 1 }),
      'missing exp': await idp.signJwt({ ...base, exp: undefined }),
      'nbf in the future': await idp.signJwt({ ...base, nbf: now + 60 }),
      'ES256 not in default signing algs': await idp.signJwt(base, { alg: 'ES256' }),
      'email_verified false': await idp.signJwt({ ...base, email_verified: false }),
      'no email claim': await idp.signJwt({ sub: 'alice' }),
      'unknown key': await new jose.SignJWT({ ...base, iss: idp.issuer, aud: idp.publicClientId, exp: now + 60 })
        .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' })
        .sign(foreign.privateKey),
      HS256: await new jose.SignJWT({ ...base, iss: idp.issuer, aud: idp.publicClientId, exp: now + 60 })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(new TextEncoder().encode('x'.repeat(32))),
    };
    for (const [name, token] of Object.entries(cases)) {
      const r = await api.request('/version', { token });
      assert.equal(r.status, 401, name);
      assert.equal(r.text, UNAUTHORIZED_BODY, name);
      assert.equal(r.contentType, 'application/json', name);
    }
    assert.equal((await api.request('/api/v1/namespaces/default/secrets/db')).status, 401, 'anonymous');
  });

  test('username prefix defaults and groups claim like --oidc-* flags', async () => {
    const token = await idp.signJwt({ sub: 'alice', groups: 'single' });
    const whoami = async (a: ApiServerHandle) =>
      (await a.request('/apis/authentication.k8s.io/v1/selfsubjectreviews', { token, body: {} })).body.status.userInfo;
    const a1 = await startApiServer({
      oidc: { issuerUrl: idp.issuer, clientId: idp.publicClientId, groupsClaim: 'groups', groupsPrefix: 'oidc:' },
    });
    const a2 = await startApiServer({ oidc: { issuerUrl: idp.issuer, clientId: idp.publicClientId, usernamePrefix: '-' } });
    try {
      assert.deepEqual(await whoami(a1), { username: `${idp.issuer}#alice`, groups: ['oidc:single', 'system:authenticated'] });
      assert.deepEqual(await whoami(a2), { username: 'alice', groups: ['system:authenticated'] });
      assert.equal(a1.oidcFetches.discovery, 1);
    } finally {
      await a1.close();
      await a2.close();
    }
  });

  test('client certificates: own client CA accepted (CN/O), foreign CA rejected', async (t) => {
    if (!requireKubectl(t)) return;
    const good = await api.issueClientCert('carol', ['admins', 'devs']);
    const kc = await kubeconfig('cert', { clientCert: good.cert, clientKey: good.key });
    const v = await runKubectl(['get', '--raw', '/version'], { kubeconfig: kc });
    assert.equal(v.code, 0, v.stderr);
    const who = await runWhoami({ kubeconfig: kc });
    assert.deepEqual(JSON.parse(who.stdout).status.userInfo, { username: 'carol', groups: ['admins', 'devs', 'system:authenticated'] });
    const foreign = await (await createCa()).issueClientCert('mallory', ['system:masters']);
    const bad = await runKubectl(['get', '--raw', '/version'], {
      kubeconfig: await kubeconfig('cert-bad', { clientCert: foreign.cert, clientKey: foreign.key }),
    });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /Unauthorized/);
    assert.match(api.requests.at(-1)?.authError ?? '', /x509/);
  });

  test('static token, exec plugin kubeconfig and keystone tokens', async (t) => {
    const k = requireKubectl(t);
    if (!k) return;
    const script = `process.stdout.write(JSON.stringify({apiVersion:${JSON.stringify(execCredentialApiVersionFor(k.minor))},kind:'ExecCredential',status:{token:'static-token'}}))`;
    const kc = await kubeconfig('exec', { exec: { command: process.execPath, args: ['-e', script] } });
    const who = await runWhoami({ kubeconfig: kc });
    assert.equal(who.code, 0, who.stderr);
    assert.equal(JSON.parse(who.stdout).status.userInfo.username, 'static-user');

    const ks = await runWhoami({ kubeconfig: await kubeconfig('ks', { token: 'ks-scoped' }) });
    assert.equal(ks.code, 0, ks.stderr);
    const info = JSON.parse(ks.stdout).status.userInfo;
    assert.equal(info.username, 'dave');
    assert.equal(info.uid, 'u-1');
    assert.deepEqual(info.groups, ['p-1', 'system:authenticated']);
    assert.deepEqual(info.extra['alpha.kubernetes.io/identity/roles'], ['member']);
    assert.deepEqual(info.extra['alpha.kubernetes.io/identity/project/name'], ['demo']);
    assert.equal((await api.request('/version', { token: 'ks-unscoped' })).status, 401);
    assert.equal((await api.request('/version', { token: 'ks-unknown' })).status, 401);
  });
});

describe('idp (oidc-provider)', () => {
  let idp: IdpHandle;
  before(async () => {
    idp = await startIdp({ ttl: { IdToken: 120 } });
  });
  after(async () => {
    await idp.close();
  });

  test('auth code + PKCE via completeLogin: claims and counters', async () => {
    idp.resetCounts();
    const { tokens, callback } = await authCodeFlow(idp, ALICE);
    assert.match(callback, /^http:\/\/127\.0\.0\.1:43111\/callback\?code=/);
    const c = tokens.claims()!;
    assert.equal(c.sub, 'alice');
    assert.equal(c.iss, idp.issuer);
    assert.equal(c.aud, idp.publicClientId);
    assert.deepEqual(c.groups, ['developers', 'kube-admins']);
    assert.equal(c.email, 'alice@example.com');
    assert.equal(c.email_verified, true);
    assert.equal(c.exp - c.iat, 120);
    assert.ok(tokens.refresh_token);
    assert.equal(idp.counts.discovery, 1);
    assert.equal(idp.counts.authorization, 1);
    assert.equal(idp.counts.token_by_grant.authorization_code, 1);
    assert.ok(idp.counts.interaction >= 2);
  });

  test('completeLoginAndFollow delivers the code to a loopback server on any port', async () => {
    let received: URL | undefined;
    const loopback = http.createServer((req, res) => {
      received = new URL(req.url ?? '/', 'http://127.0.0.1');
      res.end('done');
    });
    await new Promise<void>((r) => loopback.listen(0, '127.0.0.1', r));
    try {
      const config = await publicClientConfig(idp);
      const verifier = client.randomPKCECodeVerifier();
      const redirect = `http://127.0.0.1:${(loopback.address() as AddressInfo).port}/callback`;
      const url = client.buildAuthorizationUrl(config, {
        redirect_uri: redirect,
        scope: 'openid',
        state: 'xyz',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
      });
      const r = await completeLoginAndFollow(url.href, ALICE);
      assert.equal(r.status, 200);
      assert.equal(r.body, 'done');
      assert.equal(received?.pathname, '/callback');
      assert.equal(received?.searchParams.get('state'), 'xyz');
      const tokens = await client.authorizationCodeGrant(config, new URL(r.callbackUrl), {
        pkceCodeVerifier: verifier,
        expectedState: 'xyz',
      });
      assert.equal(tokens.claims()?.sub, 'alice');
    } finally {
      loopback.close();
    }
  });

  test('PKCE is required for the public client; wrong password is refused', async () => {
    const config = await publicClientConfig(idp);
    const noPkce = client.buildAuthorizationUrl(config, { redirect_uri: 'http://127.0.0.1:43111/callback', scope: 'openid' });
    const cb = new URL(await completeLogin(noPkce.href, ALICE));
    assert.equal(cb.searchParams.get('error'), 'invalid_request');
    assert.match(cb.searchParams.get('error_description') ?? '', /PKCE/);
    await assert.rejects(authCodeFlow(idp, { username: 'alice', password: 'nope' }), /Invalid username or password/);
  });

  test('refresh tokens rotate; reuse, revocation and revokeAllRefreshTokens → invalid_grant', async () => {
    const { config, tokens } = await authCodeFlow(idp, ALICE);
    const r1 = await client.refreshTokenGrant(config, tokens.refresh_token!);
    assert.ok(r1.refresh_token && r1.refresh_token !== tokens.refresh_token);
    assert.equal(r1.claims()?.sub, 'alice');
    assert.equal(await oauthErrorCode(client.refreshTokenGrant(config, tokens.refresh_token!)), 'invalid_grant');
    // oidc-provider revokes the whole grant on reuse, so the newest token is dead too.
    assert.equal(await oauthErrorCode(client.refreshTokenGrant(config, r1.refresh_token!)), 'invalid_grant');

    const second = await authCodeFlow(idp, ALICE);
    const before = idp.counts.revocation;
    await client.tokenRevocation(second.config, second.tokens.refresh_token!);
    assert.equal(idp.counts.revocation, before + 1);
    assert.equal(await oauthErrorCode(client.refreshTokenGrant(config, second.tokens.refresh_token!)), 'invalid_grant');

    const third = await authCodeFlow(idp, ALICE);
    assert.ok(idp.revokeAllRefreshTokens() >= 1);
    assert.equal(idp.refreshTokenCount(), 0);
    assert.equal(await oauthErrorCode(client.refreshTokenGrant(config, third.tokens.refresh_token!)), 'invalid_grant');
  });

  test('device flow completes through the HTTP client', async () => {
    const config = await publicClientConfig(idp);
    const da = await client.initiateDeviceAuthorization(config, { scope: 'openid groups' });
    assert.equal(da.interval, 1);
    const polling = client.pollDeviceAuthorizationGrant(config, da);
    await completeDeviceLogin(da.verification_uri, { username: 'bob', password: 'bob-password', userCode: da.user_code });
    const tokens = await polling;
    assert.equal(tokens.claims()?.sub, 'bob');
    assert.deepEqual(tokens.claims()?.groups, ['viewers']);
    assert.equal(idp.counts.device_authorization >= 1, true);
    assert.ok((idp.counts.token_by_grant['urn:ietf:params:oauth:grant-type:device_code'] ?? 0) >= 1);
  });

  test('client credentials, password grant, dynamic registration, runtime clients', async () => {
    const conf = await confidentialClientConfig(idp);
    const cc = await client.clientCredentialsGrant(conf, {});
    assert.ok(cc.access_token);
    assert.equal(cc.id_token, undefined);

    const pub = await publicClientConfig(idp);
    const pw = await client.genericGrantRequest(pub, 'password', { username: 'alice', password: 'alice-password', scope: 'openid groups' });
    assert.deepEqual(pw.claims()?.groups, ['developers', 'kube-admins']);
    assert.ok(pw.refresh_token);
    assert.equal((await client.refreshTokenGrant(pub, pw.refresh_token!)).claims()?.sub, 'alice');
    assert.equal(await oauthErrorCode(client.genericGrantRequest(pub, 'password', { username: 'alice', password: 'x' })), 'invalid_grant');

    const reg = await fetch(`${idp.issuer}/reg`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://127.0.0.1/cb'], application_type: 'native', token_endpoint_auth_method: 'none' }),
    });
    assert.equal(reg.status, 201);
    assert.ok(((await reg.json()) as { client_id?: string }).client_id);
    assert.equal(idp.counts.registration, 1);

    await idp.addClient({
      client_id: 'late',
      client_secret: 'late-secret',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
    });
    const late = await confidentialClientConfig(idp, { clientId: 'late', clientSecret: 'late-secret' });
    assert.ok((await client.clientCredentialsGrant(late, {})).access_token);
    assert.ok((idp.counts.token_by_grant.client_credentials ?? 0) >= 2);
    assert.ok((idp.counts.token_by_grant.password ?? 0) >= 2);
  });

  test('setTtl, failNext and setDelay', async () => {
    const pub = await publicClientConfig(idp);
    idp.setTtl({ IdToken: 7 });
    const short = await client.genericGrantRequest(pub, 'password', { ...ALICE, scope: 'openid' });
    assert.equal(short.claims()!.exp - short.claims()!.iat, 7);
    idp.setTtl({ IdToken: 120 });

    idp.failNext('token', { status: 500 });
    const tokenCalls = idp.counts.token;
    await assert.rejects(
      client.genericGrantRequest(pub, 'password', { ...ALICE, scope: 'openid' }),
      (e: Error & { cause?: { status?: number } }) => {
        assert.match(e.message, /unexpected HTTP response status code/);
        assert.equal(e.cause?.status, 500);
        return true;
      },
    );
    assert.equal(idp.counts.token, tokenCalls + 1);
    assert.ok((await client.genericGrantRequest(pub, 'password', { ...ALICE, scope: 'openid' })).id_token);

    idp.setDelay('token', 300);
    const t0 = Date.now();
    await client.genericGrantRequest(pub, 'password', { ...ALICE, scope: 'openid' });
    assert.ok(Date.now() - t0 >= 290);
    idp.setDelay('token', 0);
  });

  test('https IdP with issuer path: untrusted without its CA; apiserver honours oidc.ca', async () => {
    const secure = await startIdp({ https: true, issuerPath: '/realms/test' });
    try {
      assert.match(secure.issuer, /^https:\/\/127\.0\.0\.1:\d+\/realms\/test$/);
      await assert.rejects(getJson(`${secure.issuer}/.well-known/openid-configuration`), /self[- ]signed|unable to verify|certificate/i);
      const doc = await getJson(`${secure.issuer}/.well-known/openid-configuration`, { ca: secure.caPem });
      assert.equal((doc.body as { issuer: string }).issuer, secure.issuer);
      const { tokens } = await authCodeFlow(secure, ALICE, { redirectUri: 'http://localhost:8000' });
      assert.equal(tokens.claims()?.iss, secure.issuer);

      const token = tokens.id_token!;
      const trusting = await startApiServer({ oidc: { issuerUrl: secure.issuer, clientId: secure.publicClientId, ca: secure.caPem } });
      const distrusting = await startApiServer({ oidc: { issuerUrl: secure.issuer, clientId: secure.publicClientId } });
      try {
        assert.equal((await trusting.request('/version', { token })).status, 200);
        assert.equal((await distrusting.request('/version', { token })).status, 401);
        assert.match(distrusting.requests.at(-1)?.authError ?? '', /certificate/i);
      } finally {
        await trusting.close();
        await distrusting.close();
      }
    } finally {
      await secure.close();
    }
  });
});
