// The IAM provider's parts against the IAM-like fixture and the real oidc-agent: registration
// (RFC 7591/7592), the audience check of access tokens, the oidc-agent socket client.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as jose from 'jose';
import { startIamIdp } from './fixtures/idp-iam.js';
import { sharedSigningKeys } from './fixtures/idp-support.js';
import { agentClientMetadata, oidcAgentInstalled, startOidcAgent } from './fixtures/oidc-agent.js';
import { createFetch } from '../src/infra/http.js';
import { deleteRegistration, registerClient, registrationEndpoint, scrubServerText } from '../src/providers/iam/registration.js';
import { checkAudienceToken } from '../src/providers/iam/access-token.js';
import { agentAccessToken } from '../src/providers/iam/oidc-agent.js';
import { iamIdentity } from '../src/providers/iam/identity.js';
import { cacheKey } from '../src/store/cache-key.js';
import type { JwkSet } from '../src/providers/oidc/jwt.js';
import { testTempDir } from './helpers/cli.js';

const fetch = createFetch({});

test('registration: endpoint from discovery, a device client registered and deleted, refusals in one line', async (t) => {
  const idp = await startIamIdp();
  t.after(() => idp.close());
  const endpoint = await registrationEndpoint(fetch, idp.issuer);
  await assert.rejects(registrationEndpoint(fetch, idp.issuer.replace(/\/$/, '')), /says its issuer is .*trailing slash/);

  const reg = await registerClient({ fetch, issuer: idp.issuer, endpoint, flow: 'device-code', extraScopes: ['wlcg'], redirectUris: [] });
  assert.ok(reg.clientId && reg.clientSecret && reg.registrationAccessToken && reg.registrationClientUri);
  assert.deepEqual(reg.grantTypes.sort(), ['refresh_token', 'urn:ietf:params:oauth:grant-type:device_code']);
  assert.match(reg.scope, /^openid profile email offline_access/);
  assert.deepEqual(idp.registeredClients(), [reg.clientId]);

  const code = await registerClient({
    fetch,
    issuer: idp.issuer,
    endpoint,
    flow: 'authcode',
    extraScopes: [],
    redirectUris: ['http://localhost:8000'],
  });
  assert.ok(code.grantTypes.includes('authorization_code'));

  idp.refuseRegistration('registration is closed\nfor eyJhbGciOiJSUzI1NiJ9abcdefghijklmnopqrstuvwxyz0123');
  const refused = await registerClient({
    fetch,
    issuer: idp.issuer,
    endpoint,
    flow: 'device-code',
    extraScopes: [],
    redirectUris: [],
  }).catch((e: Error) => e);
  assert.ok(refused instanceof Error);
  assert.match(refused.message, /refused to register a client for kubecred: registration is closed for \[…\]; pass --client-id/);
  assert.doesNotMatch(refused.message, /\n|eyJ/);

  assert.match(await deleteRegistration(fetch, reg), /deleted the client registration/);
  assert.equal(idp.counts.registration_delete, 1);
  assert.deepEqual(idp.registeredClients(), [code.clientId]);
});

test('registration: an issuer without registration_endpoint says to pass --client-id', async (t) => {
  const idp = await startIamIdp({ registration: false });
  t.after(() => idp.close());
  await assert.rejects(registrationEndpoint(fetch, idp.issuer), /offers no dynamic client registration .*pass --client-id/);
});

test('scrubServerText keeps one short line without token-like strings', () => {
  assert.equal(scrubServerText('bad\r\nthing\u0007'), 'bad thing');
  assert.equal(scrubServerText('x'.repeat(500)), '[…]');
  assert.equal(scrubServerText('word '.repeat(100)).length, 160);
});

async function signer() {
  const [rsa] = await sharedSigningKeys();
  const key = await jose.importJWK(rsa as jose.JWK, 'RS256');
  const { d, p, q, dp, dq, qi, ...pub } = rsa as unknown as Record<string, unknown>;
  (void d, p, q, dp, dq, qi);
  const jwks = { keys: [pub] } as unknown as JwkSet;
  const sign = (claims: Record<string, unknown>, kid = 'rsa-1') =>
    new jose.SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' }).sign(key);
  return { jwks, sign };
}

test('checkAudienceToken: signature, aud and exp as kube-apiserver checks them', async () => {
  const { jwks, sign } = await signer();
  const now = Date.now();
  const exp = Math.floor(now / 1000) + 600;
  let fetched = 0;
  const options = {
    audience: 'k8s',
    audienceParam: 'audience',
    nowMs: now,
    jwks: async (fresh: boolean) => {
      if (fresh) fetched++;
      return fresh ? jwks : undefined;
    },
  };
  const ok = await checkAudienceToken(await sign({ aud: ['other', 'k8s'], exp, sub: 'alice' }), options);
  assert.equal(ok.expiresAt.getTime(), exp * 1000);
  assert.equal(fetched, 1, 'no cached keys: fetched once');

  await assert.rejects(
    checkAudienceToken(await sign({ aud: 'cms', exp }), options),
    /carries audience "cms", not "k8s".*--audience \(sent as audience\)/,
  );
  await assert.rejects(checkAudienceToken(await sign({ exp }), options), /carries no audience, not "k8s"/);
  await assert.rejects(checkAudienceToken(await sign({ aud: 'k8s', exp: exp - 1200 }), options), /already expired/);
  await assert.rejects(checkAudienceToken('opaque-token-value', options), /opaque access token.*--audience-param/);
  await assert.rejects(
    checkAudienceToken(await sign({ aud: 'k8s', exp }, 'rotated'), options),
    /key "rotated", which the IAM does not publish/,
  );
  const forged = (await sign({ aud: 'k8s', exp })).replace(/\.[^.]+$/, '.AAAA');
  await assert.rejects(checkAudienceToken(forged, options), /not genuine/);
});

test('identity: issuer kept byte for byte, token type and audience separate identities', () => {
  const key = (v: Record<string, string | boolean>) => cacheKey(iamIdentity(v));
  assert.notEqual(key({ 'issuer-url': 'https://iam.cloud.infn.it/' }), key({ 'issuer-url': 'https://iam.cloud.infn.it' }));
  assert.equal(key({}), key({ 'issuer-url': 'https://iam.cloud.infn.it/' }), 'the default issuer');
  assert.notEqual(key({ audience: 'a' }), key({ audience: 'b' }));
  assert.notEqual(key({}), key({ 'use-id-token': true }));
});

test('oidc-agent: a real agent hands out an access token for the audience; unknown account and missing agent in one line', async (t) => {
  if (!oidcAgentInstalled()) {
    t.skip('oidc-agent is not installed');
    return;
  }
  const idp = await startIamIdp({ clients: [agentClientMetadata] });
  t.after(() => idp.close());
  const dir = testTempDir('kubecred-agent-');
  const agent = await startOidcAgent(dir, idp.issuer, 'infn');
  t.after(() => agent.close());
  const now = Date.now();
  const token = await agentAccessToken(
    { socketPath: agent.socket, account: 'infn', minValidSeconds: 60, audience: 'k8s', timeoutMs: 10_000 },
    now,
  );
  const claims = jose.decodeJwt(token.accessToken);
  assert.equal(claims.aud, 'k8s');
  assert.equal(claims.iss, idp.issuer);
  assert.ok(token.expiresAt.getTime() > now + 60_000);
  assert.equal(idp.tokenRequests.at(-1)?.audience, 'k8s');

  await assert.rejects(
    agentAccessToken({ socketPath: agent.socket, account: 'nobody', minValidSeconds: 60, timeoutMs: 10_000 }, now),
    /oidc-agent has no account "nobody" loaded .*run oidc-add nobody/,
  );
  await assert.rejects(
    agentAccessToken({ socketPath: undefined, account: 'infn', minValidSeconds: 60, timeoutMs: 1000 }, now),
    /OIDC_SOCK is not set/,
  );
  await assert.rejects(
    agentAccessToken({ socketPath: join(dir, 'nope.sock'), account: 'infn', minValidSeconds: 60, timeoutMs: 1000 }, now),
    /no oidc-agent is listening/,
  );
});

test('settings: IAM defaults, refusals in one line, and the OIDC engine settings with the audience on every request', async () => {
  const { iamSettings, engineSettings } = await import('../src/providers/iam/settings.js');
  const s = iamSettings({ audience: 'k8s' }, {});
  assert.equal(s.issuerUrl, 'https://iam.cloud.infn.it/');
  assert.equal(s.grantType, 'device-code');
  assert.equal(s.audienceParam, 'audience');
  assert.throws(() => iamSettings({ 'audience-param': 'aux' }, {}), /--audience-param takes audience, resource, aud/);
  assert.throws(() => iamSettings({ 'grant-type': 'password' }, {}), /--grant-type takes device-code, authcode/);
  assert.throws(() => iamSettings({ audience: 'k8s', 'use-id-token': true }, {}), /drop one of them/);
  assert.throws(() => iamSettings({ 'oidc-agent-account': 'infn', 'client-id': 'x' }, {}), /drop --client-id/);
  assert.throws(() => iamSettings({ 'issuer-url': 'ftp://iam' }, {}), /https URL/);

  const engine = engineSettings(
    iamSettings({ audience: 'k8s', 'audience-param': 'resource', 'extra-scope': ['wlcg'], 'issuer-url': 'https://iam.example/' }, {}),
    'cid',
    'csecret',
  );
  assert.equal(engine.issuerUrl, 'https://iam.example/', 'the trailing slash is kept');
  assert.equal(engine.clientId, 'cid');
  assert.equal(engine.clientSecret, 'csecret');
  assert.equal(engine.useAccessToken, true);
  assert.equal(engine.grantType, 'device-code');
  assert.deepEqual(engine.extraScopes, ['profile', 'email', 'offline_access', 'wlcg']);
  assert.deepEqual(engine.tokenParams, [['resource', 'k8s']]);
  assert.ok(engine.authParams.some(([k, v]) => k === 'resource' && v === 'k8s'));
  assert.equal(engineSettings(iamSettings({ 'use-id-token': true }, {}), 'cid', undefined).useAccessToken, false);
});

test('describe: who, groups and audience of a cached IAM token, without network', async () => {
  const { describeIam } = await import('../src/providers/iam/describe.js');
  const { sign } = await signer();
  const token = await sign({
    sub: 'alice',
    preferred_username: 'alice',
    groups: ['cms'],
    aud: 'k8s',
    exp: Math.floor(Date.now() / 1000) + 60,
  });
  const d = describeIam({
    v: 1,
    provider: 'iam',
    storage: 'disk',
    expiresAt: new Date().toISOString(),
    obtainedAt: new Date().toISOString(),
    label: 'alice',
    identity: { provider: 'iam', issuer: 'https://iam.cloud.infn.it/', clientId: 'cid', audience: 'k8s', tokenType: 'access_token' },
    credential: { token },
  });
  assert.equal(d.source, 'https://iam.cloud.infn.it/');
  assert.match(d.summary, /alice @ https:\/\/iam\.cloud\.infn\.it\/ client cid audience k8s/);
  assert.ok(d.fields.some(([k, v]) => k === 'groups' && Array.isArray(v) && v.includes('cms')));
  assert.ok(d.fields.some(([k, v]) => k === 'audience' && v === 'k8s'));
});
