// fetch-kubeconfig through the real CLI against two API server fixtures, checked with real kubectl.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { requireKubectl } from './fixtures/kubectl.js';
import { internalServer } from './fixtures/cozystack.js';
import { startTenantRig, CLUSTER, TENANT, type TenantRig } from './helpers/tenant/rig.js';

let rig: TenantRig;
before(async () => {
  rig = await startTenantRig();
});
after(async () => {
  await rig?.close();
});

const NAME = `${TENANT}-${CLUSTER}`;

async function whoami(context: string): Promise<{ username: string; groups: string[] }> {
  // `create --raw` posts a SelfSubjectReview with any kubectl (Debian's 1.20 has no `auth whoami`).
  writeFileSync(join(rig.home, 'ssr.json'), JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }));
  const out = await rig.kubectl([
    '--context',
    context,
    'create',
    '--raw',
    '/apis/authentication.k8s.io/v1/selfsubjectreviews',
    '-f',
    join(rig.home, 'ssr.json'),
  ]);
  assert.equal(out.code, 0, out.stderr);
  return JSON.parse(out.stdout).status.userInfo;
}

test('fetch --merge: kubectl --context <T>-<C> reaches the tenant cluster as kubernetes-admin; the rest of the kubeconfig is untouched', async (t) => {
  if (!requireKubectl(t)) return;
  const before = parse(readFileSync(rig.kubeconfig, 'utf8'));
  const r = await rig.kubecred(['fetch-kubeconfig', '--tenant', TENANT, '--cluster', CLUSTER, '--merge']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`context "${NAME}": added`));
  const after = parse(readFileSync(rig.kubeconfig, 'utf8'));
  assert.equal(after['current-context'], 'mgmt');
  for (const kind of ['clusters', 'users', 'contexts']) {
    for (const entry of before[kind])
      assert.deepEqual(
        after[kind].find((e: { name: string }) => e.name === entry.name),
        entry,
      );
    assert.ok(
      after[kind].some((e: { name: string }) => e.name === NAME),
      `${kind} has ${NAME}`,
    );
  }
  const version = await rig.kubectl(['--context', NAME, 'get', '--raw', '/version']);
  assert.equal(version.code, 0, version.stderr);
  assert.equal(JSON.parse(version.stdout).gitVersion.startsWith('v1.'), true);
  const last = rig.tenantApi.requests.at(-1)!;
  assert.equal(last.user?.username, 'kubernetes-admin');
  assert.ok(last.user?.groups.includes('kubeadm:cluster-admins'));
  assert.equal(last.authMethod, 'x509');
});

test('fetch --variant super-admin --merge --as: the identity maps to group system:masters', async (t) => {
  if (!requireKubectl(t)) return;
  const r = await rig.kubecred([
    'fetch-kubeconfig',
    '--tenant',
    TENANT,
    '--cluster',
    CLUSTER,
    '--variant',
    'super-admin',
    '--merge',
    '--as',
    'dev-root',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const info = await whoami('dev-root');
  assert.equal(info.username, 'kubernetes-super-admin');
  assert.ok(info.groups.includes('system:masters'));
});

test('fetch --internal prints the .svc kubeconfig; the default prints admin.conf as it is in the Secret', async () => {
  const internal = await rig.kubecred(['fetch-kubeconfig', '--tenant', TENANT, '--cluster', CLUSTER, '--internal']);
  assert.equal(internal.code, 0, internal.stderr);
  assert.equal(parse(internal.stdout).clusters[0].cluster.server, internalServer(TENANT, CLUSTER));
  const external = await rig.kubecred(['fetch-kubeconfig', '--tenant', TENANT, '--cluster', CLUSTER, '--management-context', 'mgmt']);
  assert.equal(external.code, 0, external.stderr);
  assert.equal(parse(external.stdout).clusters[0].cluster.server, rig.tenantApi.url);
  assert.equal(parse(external.stdout).users[0].name, 'kubernetes-admin');
  assert.match(external.stderr, /valid until/);
});

test('fetch -o FILE writes 0600 and refuses to overwrite without --force', async (t) => {
  const file = join(rig.home, 'dev.conf');
  const r = await rig.kubecred(['fetch-kubeconfig', '--tenant', TENANT, '--cluster', CLUSTER, '-o', file]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const first = readFileSync(file, 'utf8');
  assert.equal(parse(first).users[0].name, 'kubernetes-admin');
  const again = await rig.kubecred(['fetch-kubeconfig', '--tenant', TENANT, '--cluster', CLUSTER, '-o', file, '--variant', 'super-admin']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /exists: pass --force/);
  assert.equal(readFileSync(file, 'utf8'), first);
  const forced = await rig.kubecred([
    'fetch-kubeconfig',
    '--tenant',
    TENANT,
    '--cluster',
    CLUSTER,
    '-o',
    file,
    '--variant',
    'super-admin',
    '--force',
  ]);
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(parse(readFileSync(file, 'utf8')).users[0].name, 'kubernetes-super-admin');
  if (!requireKubectl(t)) return;
  const v = await rig.kubectl(['--kubeconfig', file, 'get', '--raw', '/version']);
  assert.equal(v.code, 0, v.stderr);
});

test('fetch --list shows the tenant clusters with variants and expiry', async () => {
  await rig.putSecret({ cluster: 'prod' });
  rig.management.putSecret('tenant-acme', 'unrelated', { a: 'b' });
  rig.management.putSecret('tenant-other', 'kubernetes-x-admin-kubeconfig', { 'admin.conf': 'x' });
  const r = await rig.kubecred(['fetch-kubeconfig', '--list', '--tenant', TENANT]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, /^TENANT\s+CLUSTER\s+VARIANTS\s+EXPIRES$/);
  assert.equal(lines.length, 3, r.stdout);
  assert.match(lines[1]!, /^acme\s+dev\s+admin,super-admin\s+\d{4}-\d\d-\d\dT/);
  assert.match(lines[2]!, /^acme\s+prod\s+/);
  // Across all namespaces alice may not list: a one-line 403 naming her.
  const all = await rig.kubecred(['fetch-kubeconfig', '--list']);
  assert.equal(all.code, 1);
  assert.match(all.stderr, /^kubecred: identity alice cannot list secrets in all namespaces/);
});
