// `kubecred setup-context iam` end to end, through the real CLI and the real kubectl, against the
// IAM-like IdP (trailing-slash issuer, open registration, device flow without interval, audience →
// JWT access token) and an API server that validates those access tokens like kube-apiserver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { requireKubectl } from './fixtures/kubectl.js';
import { AUDIENCE, SECRET_VALUE, assertNoSecretsIn, authcodeSetupArgs, startIamRig } from './helpers/iam/rig.js';

const DEVICE = 'urn:ietf:params:oauth:grant-type:device_code';

test('setup-context iam without a client id: one registration, device login, kubectl reads a Secret; a second context reuses the client; refresh is one request; logout --unregister', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startIamRig();
  t.after(() => rig.close());

  const setup = await rig.setup('cms', ['--audience', AUDIENCE, '--use']);
  assert.equal(setup.code, 0, setup.stderr);
  assert.match(setup.stdout, /registered client \S+ at 127\.0\.0\.1:\d+/);
  assert.match(setup.stdout, new RegExp(`logged in as alice; the access token is for audience ${AUDIENCE}`));
  assert.match(setup.stdout, /groups: developers, kube-admins/);
  assert.match(setup.stderr, /visit http:\/\/127\.0\.0\.1:\d+\/device and enter the code/);
  assert.equal(rig.idp.counts.registration, 1);
  assert.equal(rig.idp.counts.device_authorization, 1);
  assert.deepEqual(rig.idp.deviceAudiences, [AUDIENCE]);
  assert.ok(
    rig.idp.tokenRequests.every((r) => r.audience === AUDIENCE && r.grant === DEVICE),
    JSON.stringify(rig.idp.tokenRequests),
  );
  assert.equal(rig.browserCalls(), 1);

  const [clientId] = rig.idp.registeredClients();
  const kubeconfig = readFileSync(rig.kubeconfig, 'utf8');
  assert.ok(kubeconfig.includes(`--client-id=${clientId}`), 'the exec args carry the registered client id');
  assert.ok(kubeconfig.includes(`--issuer-url=${rig.idp.issuer}`), 'the issuer with its trailing slash');
  assert.ok(kubeconfig.includes(`--audience=${AUDIENCE}`));
  const secrets = rig.idp.issuedSecrets();
  assert.ok(secrets.length >= 3, 'client secret, registration access token, refresh token');
  assertNoSecretsIn(kubeconfig, secrets, 'the kubeconfig');
  assertNoSecretsIn(setup.stderr + setup.stdout, secrets, 'setup-context output');
  assertNoSecretsIn(readFileSync(rig.browserLog, 'utf8'), secrets, 'the browser argv');

  rig.idp.resetCounts();
  const read = await rig.readSecret();
  assert.equal(read.value, SECRET_VALUE, read.stderr);
  assert.equal(rig.idp.counts.token, 0, 'the token from setup-context is used');
  const seen = rig.api.requests.filter((r) => r.authMethod === 'oidc');
  assert.ok(
    seen.length > 0 && seen.every((r) => r.user?.username === `${rig.idp.issuer}#alice`),
    'the API server took the access token for its audience',
  );

  // A second cluster's context on the same issuer: the same client, no registration request.
  const second = await rig.setup('atlas', ['--audience', AUDIENCE]);
  assert.equal(second.code, 0, second.stderr);
  assert.match(second.stdout, new RegExp(`using client ${clientId}, registered at`));
  assert.equal(rig.idp.counts.registration + rig.idp.counts.registration_update, 0, 'zero registration requests for the second context');
  assert.deepEqual(rig.idp.registeredClients(), [clientId]);
  assert.equal((await rig.readSecret('atlas')).value, SECRET_VALUE);

  // A context asking for one more scope updates the registration (RFC 7592 PUT) instead of registering anew.
  const third = await rig.setup('wlcg', ['--audience', AUDIENCE, '--extra-scope', 'wlcg', '--no-login']);
  assert.equal(third.code, 0, third.stderr);
  assert.match(third.stdout, /added scope wlcg to client/);
  assert.equal(rig.idp.counts.registration, 0);
  assert.equal(rig.idp.counts.registration_update, 1);
  assert.deepEqual(rig.idp.registeredClients(), [clientId]);

  // The access token expired: exactly one token request (a refresh with the audience), no device login.
  rig.expireCachedTokens();
  rig.idp.resetCounts();
  const again = await rig.readSecret('cms');
  assert.equal(again.value, SECRET_VALUE, again.stderr);
  assert.equal(rig.idp.counts.token, 1);
  assert.deepEqual(rig.idp.tokenRequests, [{ grant: 'refresh_token', audience: AUDIENCE, clientId }]);
  assert.equal(rig.idp.counts.device_authorization, 0);
  assert.equal(rig.idp.counts.discovery, 0);
  assert.equal(rig.idp.counts.registration, 0);
  assertNoSecretsIn(again.stderr, secrets, 'kubectl stderr');

  // Logout: the registration stays while another context uses it, and goes with the last one.
  const first = await rig.kubecred(['logout', '--context', 'cms', '--unregister']);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /revoked the refresh token/);
  assert.match(first.stdout, /kept the client registration \S+: contexts atlas, wlcg still use it/);
  assert.equal(rig.idp.counts.registration_delete, 0);
  assert.equal((await rig.kubecred(['logout', '--context', 'wlcg', '--unregister'])).code, 0);
  const last = await rig.kubecred(['logout', '--context', 'atlas', '--unregister']);
  assert.equal(last.code, 0, last.stderr);
  assert.match(last.stdout, /deleted the client registration/);
  assert.equal(rig.idp.counts.registration_delete, 1);
  assert.deepEqual(rig.idp.registeredClients(), []);
});

test('setup-context iam --client-id: no registration; a missing registration endpoint and a refused registration write nothing', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startIamRig({
    idp: {
      clients: [
        {
          client_id: 'k8s-public',
          token_endpoint_auth_method: 'none',
          grant_types: [DEVICE, 'refresh_token'],
          response_types: [],
          redirect_uris: [],
        },
        {
          client_id: 'k8s-private',
          client_secret: 'k8s-private-secret',
          grant_types: [DEVICE, 'refresh_token'],
          response_types: [],
          redirect_uris: [],
        },
      ],
    },
  });
  t.after(() => rig.close());

  rig.idp.refuseRegistration('registrations are closed on this instance');
  const refused = await rig.setup('cms', ['--audience', AUDIENCE]);
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, /refused to register a client for kubecred: registrations are closed on this instance; pass --client-id/);
  assert.match(
    refused.stderr.trim().split('\n').at(-1)!,
    /refused to register a client for kubecred: registrations are closed on this instance; pass --client-id/,
    'the error is one line',
  );
  assert.equal(existsSync(rig.kubeconfig), false, 'nothing written');
  rig.idp.refuseRegistration(undefined);

  const setup = await rig.setup('cms', ['--audience', AUDIENCE, '--client-id', 'k8s-public']);
  assert.equal(setup.code, 0, setup.stderr);
  assert.equal(rig.idp.counts.registration, 1, 'only the refused attempt');
  assert.equal((await rig.readSecret('cms')).value, SECRET_VALUE);

  // A confidential client of one's own: its secret from stdin into the secret store, never the kubeconfig.
  const own = await rig.setup('own', ['--audience', AUDIENCE, '--client-id', 'k8s-private', '--client-secret-stdin'], {
    input: 'k8s-private-secret\n',
  });
  assert.equal(own.code, 0, own.stderr);
  assert.ok(!readFileSync(rig.kubeconfig, 'utf8').includes('k8s-private-secret'));
  rig.expireCachedTokens();
  assert.equal((await rig.readSecret('own')).value, SECRET_VALUE, 'the refresh authenticates with the stored secret');
  assert.equal(rig.idp.counts.registration, 1, 'still only the refused attempt');

  const noReg = await startIamRig({ idp: { registration: false } });
  t.after(() => noReg.close());
  const missing = await noReg.setup('cms', ['--audience', AUDIENCE]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /offers no dynamic client registration .*pass --client-id/);
  assert.equal(existsSync(noReg.kubeconfig), false, 'nothing written');
});

test('an access token for another audience is refused at setup, naming the audience that came back; nothing is written or kept', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startIamRig();
  t.after(() => rig.close());
  const usage = await rig.setup('cms', ['--audience', AUDIENCE, '--use-id-token']);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /--use-id-token .*drop one of them/);

  rig.idp.rewriteAudience(() => 'someone-else');
  const setup = await rig.setup('cms', ['--audience', AUDIENCE]);
  assert.equal(setup.code, 1);
  assert.match(setup.stderr, new RegExp(`carries audience "someone-else", not "${AUDIENCE}"`));
  assert.equal(existsSync(rig.kubeconfig), false, 'no kubeconfig');
  assert.equal(rig.idp.counts.registration_delete, 1, 'the client registered for the failed setup is deleted again');
  assert.deepEqual(rig.idp.registeredClients(), []);
});

test('a device code that expires before anyone confirms it: one line saying so and how to retry, nothing written', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startIamRig({ idp: { deviceCodeTtl: 2 } });
  t.after(() => rig.close());
  // The "browser" only records the URL: nobody logs in.
  const setup = await rig.setup('cms', ['--audience', AUDIENCE, '--browser-command', rig.browserCommand('record')]);
  assert.equal(setup.code, 1);
  assert.match(
    setup.stderr.trim().split('\n').at(-1)!,
    /the device code expired after 2s before the login completed; run the command again for a new code/,
  );
  assert.equal(existsSync(rig.kubeconfig), false);
  assert.deepEqual(rig.idp.registeredClients(), [], 'the client registered for it is gone again');
});

test('--grant-type authcode: a client with loopback redirect URIs is registered, the browser login carries the audience', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startIamRig();
  t.after(() => rig.close());
  const setup = await rig.setup('cms', authcodeSetupArgs(rig));
  assert.equal(setup.code, 0, setup.stderr);
  assert.match(setup.stdout, /registered client/);
  assert.equal(rig.idp.counts.device_authorization, 0);
  assert.deepEqual(
    rig.idp.tokenRequests.map((r) => [r.grant, r.audience]),
    [['authorization_code', AUDIENCE]],
  );
  assert.equal((await rig.readSecret('cms')).value, SECRET_VALUE);
});

test('a device login denied at the IAM: one line saying so and how to retry, nothing written', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startIamRig();
  t.after(() => rig.close());
  const setup = await rig.setup('cms', ['--audience', AUDIENCE, '--browser-command', rig.browserCommand('device-deny')]);
  assert.equal(setup.code, 1, setup.stderr);
  assert.match(
    setup.stderr.trim().split('\n').at(-1)!,
    /the device login was denied at the IdP; run the command again and confirm the code to retry/,
  );
  assert.equal(existsSync(rig.kubeconfig), false);
  assert.deepEqual(rig.idp.registeredClients(), []);
});
