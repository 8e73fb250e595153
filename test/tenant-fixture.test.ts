// The API server fixture as a Cozystack management cluster: its Secret authorization answers like
// kube-apiserver's RBAC authorizer (exact Forbidden wording), and the tenant cluster's CA rotations.
// Also the pure kubelogin → kubecred rewrite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startApiServer } from './fixtures/apiserver.js';
import { rewriteKubelogin, kubeloginArgs } from '../src/providers/tenant/kubelogin.js';

test('secrets: allow list per user and group, system:masters may do anything, kube-apiserver 403/404 Status', async () => {
  const api = await startApiServer({ secretAccess: { users: { alice: ['tenant-acme'] }, groups: { ops: ['*'] } } });
  try {
    api.putSecret('tenant-acme', 'kubernetes-dev-admin-kubeconfig', { 'admin.conf': 'x' });
    const alice = await api.issueClientCert('alice');
    const bob = await api.issueClientCert('bob');
    const op = await api.issueClientCert('olga', ['ops']);
    const root = await api.issueClientCert('root', ['system:masters']);
    assert.equal(
      (await api.request('/api/v1/namespaces/tenant-acme/secrets/kubernetes-dev-admin-kubeconfig', { cert: alice })).status,
      200,
    );
    const denied = await api.request('/api/v1/namespaces/tenant-acme/secrets/kubernetes-dev-admin-kubeconfig', { cert: bob });
    assert.equal(denied.status, 403);
    assert.deepEqual(denied.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'secrets "kubernetes-dev-admin-kubeconfig" is forbidden: User "bob" cannot get resource "secrets" in API group "" in the namespace "tenant-acme"',
      reason: 'Forbidden',
      details: { name: 'kubernetes-dev-admin-kubeconfig', kind: 'secrets' },
      code: 403,
    });
    const listAll = await api.request('/api/v1/secrets', { cert: alice });
    assert.equal(listAll.status, 403);
    assert.equal(
      listAll.body.message,
      'secrets is forbidden: User "alice" cannot list resource "secrets" in API group "" at the cluster scope',
    );
    assert.equal(
      (await api.request('/api/v1/namespaces/tenant-other/secrets', { cert: alice })).body.message,
      'secrets is forbidden: User "alice" cannot list resource "secrets" in API group "" in the namespace "tenant-other"',
    );
    assert.equal((await api.request('/api/v1/secrets', { cert: op })).status, 200);
    assert.equal((await api.request('/api/v1/secrets', { cert: root })).status, 200);
    const missing = await api.request('/api/v1/namespaces/tenant-acme/secrets/nope', { cert: alice });
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, 'secrets "nope" not found');
  } finally {
    await api.close();
  }
});

test('CA rotation: a new client CA refuses the old certificates; a new serving CA is what TLS presents', async () => {
  const api = await startApiServer();
  try {
    const old = await api.issueClientCert('kubernetes-admin');
    const oldServingCa = api.caPem;
    await api.rotateClientCa();
    assert.equal((await api.request('/version', { cert: old })).status, 401);
    assert.equal((await api.request('/version', { cert: await api.issueClientCert('kubernetes-admin') })).status, 200);
    await api.rotateServingCa();
    assert.notEqual(api.caPem, oldServingCa);
    assert.equal((await api.request('/version', { cert: await api.issueClientCert('kubernetes-admin') })).status, 200);
  } finally {
    await api.close();
  }
});

test('kubelogin rewrite: kubelogin spellings become kubecred flags; cache flags and secrets are left out', () => {
  const argv = kubeloginArgs(
    {
      command: 'kubectl',
      args: [
        'oidc-login',
        'get-token',
        '--oidc-issuer-url=https://kc/realms/cozy',
        '--oidc-client-id=kubernetes',
        '--oidc-extra-scope=email',
        '--oidc-extra-scope',
        'groups',
        '--oidc-use-pkce',
        '--skip-open-browser',
        '--oidc-client-secret=s3cret',
        '--token-cache-dir=/x',
      ],
    },
    'w',
  );
  const r = rewriteKubelogin(argv, 'w');
  assert.deepEqual(r.args, [
    '--issuer-url=https://kc/realms/cozy',
    '--client-id=kubernetes',
    '--extra-scope=email',
    '--extra-scope=groups',
    '--skip-open-browser',
  ]);
  assert.deepEqual(r.dropped.sort(), ['--client-secret', '--token-cache-dir']);
  assert.deepEqual(kubeloginArgs({ command: '/usr/local/bin/kubelogin', args: ['get-token', '--oidc-issuer-url=i'] }, 'w'), [
    '--oidc-issuer-url=i',
  ]);
  assert.throws(() => kubeloginArgs({ command: 'aws', args: ['eks', 'get-token'] }, 'w'), /not kubelogin's get-token/);
  assert.throws(
    () => rewriteKubelogin(['--oidc-issuer-url=i', '--oidc-client-id=c', '--made-up'], 'w'),
    /--made-up has no kubecred equivalent/,
  );
});
