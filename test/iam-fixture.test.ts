// The IAM-like IdP fixture behaves like INDIGO IAM where kubecred depends on it, and the API server
// fixture accepts its audience-bound access tokens the way kube-apiserver would (and refuses others).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as oidc from 'openid-client';
import { startIamIdp, DEVICE_CODE_GRANT, IAM_REGISTRATION_PATH } from './fixtures/idp-iam.js';
import { completeDeviceLogin } from './fixtures/idp-login.js';
import { startApiServer } from './fixtures/apiserver.js';

const AUDIENCE = 'cloudveneto-k8s';

function payload(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

test('IAM fixture: trailing-slash issuer, IAM paths, open registration, device flow without interval, audience → JWT access token', async (t) => {
  const idp = await startIamIdp();
  t.after(() => idp.close());
  assert.match(idp.issuer, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  const discovery = (await (await fetch(`${idp.issuer}.well-known/openid-configuration`)).json()) as Record<string, string>;
  assert.equal(discovery.issuer, idp.issuer);
  assert.equal(discovery.token_endpoint, `${idp.issuer}token`);
  assert.equal(discovery.device_authorization_endpoint, `${idp.issuer}devicecode`);
  assert.equal(discovery.registration_endpoint, `${idp.issuer}${IAM_REGISTRATION_PATH.slice(1)}`);
  assert.equal(discovery.jwks_uri, `${idp.issuer}jwk`);
  assert.equal(discovery.revocation_endpoint, `${idp.issuer}revoke`);

  const refused = await fetch(discovery.registration_endpoint!, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ grant_types: ['password'] }),
  });
  assert.equal(refused.status, 400);

  const reg = await fetch(discovery.registration_endpoint!, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      client_name: 'test',
      grant_types: [DEVICE_CODE_GRANT, 'refresh_token'],
      response_types: [],
      redirect_uris: [],
      scope: 'openid profile email offline_access',
    }),
  });
  assert.equal(reg.status, 201);
  const client = (await reg.json()) as Record<string, string>;
  assert.ok(client.client_id && client.client_secret && client.registration_access_token);
  assert.match(client.registration_client_uri!, new RegExp(`${IAM_REGISTRATION_PATH}/`));

  const config = await oidc.discovery(new URL(idp.issuer), client.client_id!, client.client_secret, undefined, {
    execute: [oidc.allowInsecureRequests],
  });
  const device = await oidc.initiateDeviceAuthorization(config, { scope: 'openid profile email offline_access', audience: AUDIENCE });
  assert.equal((device as { interval?: number }).interval, undefined, 'IAM sends no interval');
  assert.ok(device.verification_uri_complete);
  const login = completeDeviceLogin(device.verification_uri_complete!, { username: 'alice', password: 'alice-password' });
  const tokens = await oidc.pollDeviceAuthorizationGrant(config, device, { audience: AUDIENCE });
  await login;
  const claims = payload(tokens.access_token);
  assert.equal(claims.aud, AUDIENCE);
  assert.equal(claims.iss, idp.issuer);
  assert.deepEqual(claims.groups, ['developers', 'kube-admins']);
  assert.ok(tokens.refresh_token && tokens.id_token);
  assert.deepEqual(idp.deviceAudiences, [AUDIENCE]);
  assert.equal(idp.tokenRequests.at(-1)?.audience, AUDIENCE);

  // Refreshing with the audience gives a JWT for it again; without, an opaque token.
  const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, { audience: AUDIENCE });
  assert.equal(payload(refreshed.access_token).aud, AUDIENCE);
  const opaque = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
  assert.notEqual(opaque.access_token.split('.').length, 3);

  // The API server with --oidc-issuer-url = the issuer (slash included) and --oidc-client-id = the audience.
  const api = await startApiServer({ oidc: { issuerUrl: idp.issuer, clientId: AUDIENCE, usernameClaim: 'sub', groupsClaim: 'groups' } });
  t.after(() => api.close());
  const ok = await api.request('/version', { token: refreshed.access_token });
  assert.equal(ok.status, 200);
  assert.equal(api.requests.at(-1)?.user?.username, `${idp.issuer}#alice`);
  assert.equal((await api.request('/version', { token: tokens.id_token! })).status, 401, 'the ID token is not for the audience');
  const other = await startApiServer({ oidc: { issuerUrl: idp.issuer.replace(/\/$/, ''), clientId: AUDIENCE, usernameClaim: 'sub' } });
  t.after(() => other.close());
  assert.equal((await other.request('/version', { token: refreshed.access_token })).status, 401, 'the issuer is compared byte for byte');

  // RFC 7592: the registration can be deleted with its access token.
  const del = await fetch(client.registration_client_uri!, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${client.registration_access_token}` },
  });
  assert.equal(del.status, 204);
  assert.equal(idp.counts.registration_delete, 1);
  assert.deepEqual(idp.registeredClients(), []);
});

test('IAM fixture without registration publishes no registration_endpoint', async (t) => {
  const idp = await startIamIdp({ registration: false });
  t.after(() => idp.close());
  const discovery = (await (await fetch(`${idp.issuer}.well-known/openid-configuration`)).json()) as Record<string, string>;
  assert.equal(discovery.registration_endpoint, undefined);
});
