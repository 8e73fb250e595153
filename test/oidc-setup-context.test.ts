// `kubecred setup-context oidc` writes a working context (and logs in with --login); `logout`
// revokes the refresh token at the IdP; a client secret goes to the secret store, not the kubeconfig.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findKubectl, requireKubectl } from './fixtures/kubectl.js';
import { writePems } from './fixtures/certs.js';
import { SECRET_VALUE, startOidcRig } from './helpers/oidc/rig.js';

test('setup-context oidc --login, then kubectl without a browser, then logout revokes', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const { 'ca.crt': caFile } = await writePems(rig.home, { 'ca.crt': rig.api.caPem });
  const setup = await rig.kubecred([
    'setup-context',
    'oidc',
    '--context',
    'dev',
    '--server',
    rig.api.url,
    '--certificate-authority',
    caFile,
    '--issuer-url',
    rig.idp.issuer,
    '--client-id',
    rig.idp.publicClientId,
    '--extra-scope',
    'groups,email',
    '--listen-address',
    '127.0.0.1:0',
    '--browser-command',
    rig.browserCommand(),
    '--use',
    '--login',
  ]);
  assert.equal(setup.code, 0, setup.stderr);
  assert.match(setup.stdout, /user "dev-oidc": added/);
  assert.match(setup.stdout, /logged in to context dev as alice/);
  assert.match(setup.stdout, /groups: developers, kube-admins/);
  assert.match(setup.stderr, /exec command: /);
  assert.equal(rig.browserCalls(), 1);

  const kubeconfig = readFileSync(rig.kubeconfig, 'utf8');
  assert.match(kubeconfig, /get-token/);
  assert.match(kubeconfig, /--issuer-url=/);
  // v1 with interactiveMode for kubectl >= 1.22; v1beta1 without it for Debian's kubectl 1.20.
  assert.match(
    kubeconfig,
    (findKubectl()?.minor ?? 99) >= 22 ? /interactiveMode: IfAvailable/ : /apiVersion: client\.authentication\.k8s\.io\/v1beta1/,
  );
  assert.match(kubeconfig, /installHint/);

  rig.idp.resetCounts();
  const r = await rig.readSecret();
  assert.equal(r.value, SECRET_VALUE, r.stderr);
  assert.equal(rig.idp.counts.token, 0, 'the login of setup-context is reused');

  const before = rig.idp.refreshTokenCount();
  const out = await rig.kubecred(['logout', '--context', 'dev']);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /revoked the refresh token at 127\.0\.0\.1:\d+/);
  assert.match(out.stdout, /removed the cached token/);
  assert.equal(rig.idp.counts.revocation, 1);
  assert.ok(rig.idp.refreshTokenCount() < before, 'the IdP forgot the refresh token');
  assert.equal(rig.cacheSnapshot(), '');
});

test('setup-context oidc --client-secret-stdin keeps the secret out of the kubeconfig', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const { clientId, clientSecret } = rig.idp.confidentialClient;
  const args = [
    'setup-context',
    'oidc',
    '--context',
    'ci',
    '--server',
    rig.api.url,
    '--insecure-skip-tls-verify',
    '--issuer-url',
    rig.idp.issuer,
    '--client-id',
    clientId,
    '--grant-type',
    'client-credentials',
    '--use',
  ];
  const refused = await rig.kubecred([...args, '--client-secret', clientSecret]);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /--client-secret-stdin/);

  const setup = await rig.kubecred([...args, '--client-secret-stdin'], { input: `${clientSecret}\n` });
  assert.equal(setup.code, 0, setup.stderr);
  assert.match(setup.stderr, /client secret is kept in/);
  assert.ok(!readFileSync(rig.kubeconfig, 'utf8').includes(clientSecret), 'no secret in the kubeconfig');
  assert.ok(!setup.stderr.includes(clientSecret) && !setup.stdout.includes(clientSecret));

  const login = await rig.kubecred(['login', '--context', 'ci']);
  assert.equal(login.code, 0, login.stderr);
  const entry = readFileSync(join(rig.cacheDir, readdirJson(rig.cacheDir)), 'utf8');
  const token = (JSON.parse(entry) as { credential: { token: string } }).credential.token;
  rig.staticTokens[token] = { user: 'ci-robot' };
  const r = await rig.readSecret();
  assert.equal(r.value, SECRET_VALUE, r.stderr);
});

function readdirJson(dir: string): string {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  assert.equal(files.length, 1);
  return files[0]!;
}
