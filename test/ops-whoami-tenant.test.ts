// whoami for a Cozystack tenant context: the client certificate's CN, O and NotAfter from the cache,
// and what the tenant cluster says (SelfSubjectReview with the certificate).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubecredBin } from './helpers/cli.js';
import { startTenantRig } from './helpers/tenant/rig.js';

test('whoami on a tenant context: certificate CN/O/NotAfter without network, --server asks the tenant cluster', async (t) => {
  const rig = await startTenantRig();
  t.after(() => rig.close());
  const setup = await rig.kubecred([
    'setup-context',
    'tenant',
    '--context',
    'acme-dev',
    '--management-context',
    'mgmt',
    '--tenant',
    'acme',
    '--cluster',
    'dev',
    '--exec-command',
    kubecredBin,
  ]);
  assert.equal(setup.code, 0, setup.stderr);
  rig.management.resetRequests();
  rig.tenantApi.resetRequests();
  const who = await rig.kubecred(['whoami', '--context', 'acme-dev']);
  assert.equal(who.code, 0, who.stderr);
  assert.match(who.stdout, /^provider: +tenant$/m);
  assert.match(who.stdout, /^certificate CN: +kubernetes-admin$/m);
  assert.match(who.stdout, /^certificate O: +kubeadm:cluster-admins$/m);
  assert.match(who.stdout, /^certificate NotAfter: +\d{4}-\d\d-\d\dT/m);
  assert.equal(rig.management.requests.length + rig.tenantApi.requests.length, 0, 'no request without --server');

  const server = await rig.kubecred(['whoami', '--context', 'acme-dev', '--server', '-o', 'json']);
  assert.equal(server.code, 0, server.stderr);
  const report = JSON.parse(server.stdout);
  assert.equal(report.server.username, 'kubernetes-admin');
  assert.ok(report.server.groups.includes('kubeadm:cluster-admins'));
});
