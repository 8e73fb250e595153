// setup-context tenant and get-token tenant through the real CLI and kubectl: a context that keeps
// working across Kamaji re-issues, and `kubecred login` for a CA rotated before the certificate expired.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { requireKubectl } from './fixtures/kubectl.js';
import { kubecredBin } from './helpers/cli.js';
import { startTenantRig, type TenantRig } from './helpers/tenant/rig.js';

let rig: TenantRig;
before(async () => {
  rig = await startTenantRig();
});
after(async () => {
  await rig?.close();
});

const secretReads = () => rig.management.requests.filter((r) => r.path.endsWith('/secrets/kubernetes-dev-admin-kubeconfig')).length;

function cacheEntries(): Array<{ file: string; entry: Record<string, unknown> }> {
  return readdirSync(rig.cacheDir)
    .filter((n) => /^[0-9a-f]{64}\.json$/.test(n))
    .map((n) => ({ file: join(rig.cacheDir, n), entry: JSON.parse(readFileSync(join(rig.cacheDir, n), 'utf8')) }));
}

/** Marks the tenant entries expired, as time passing beyond the certificate's NotAfter would. */
function expireTenantEntries(): void {
  for (const { file, entry } of cacheEntries()) {
    if (entry.provider !== 'tenant') continue;
    entry.expiresAt = new Date(Date.now() - 1000).toISOString();
    writeFileSync(file, JSON.stringify(entry) + '\n', { mode: 0o600 });
  }
}

async function version(context = 'acme-dev') {
  return rig.kubectl(['--context', context, 'get', '--raw', '/version']);
}

test('setup-context tenant: server and CA from the Secret, no --server; kubectl works from the warm cache', async (t) => {
  const r = await rig.kubecred([
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
  assert.equal(r.code, 0, r.stderr);
  const config = parse(readFileSync(rig.kubeconfig, 'utf8'));
  const cluster = config.clusters.find((c: { name: string }) => c.name === 'acme-dev').cluster;
  assert.equal(cluster.server, rig.tenantApi.url);
  assert.equal(Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8'), rig.tenantApi.caPem);
  const ctx = config.contexts.find((c: { name: string }) => c.name === 'acme-dev').context;
  const user = config.users.find((u: { name: string }) => u.name === ctx.user).user;
  assert.deepEqual(user.exec.args, ['get-token', 'tenant', '--management-context=mgmt', '--tenant=acme', '--cluster=dev']);
  assert.match(
    r.stdout,
    /tenant acme cluster dev: Secret tenant-acme\/kubernetes-dev-admin-kubeconfig key admin\.conf, kubernetes-admin, certificate valid until/,
  );
  const [entry] = cacheEntries().filter((e) => e.entry.provider === 'tenant');
  assert.ok(entry, 'a warm cache entry');
  assert.equal(statSync(entry.file).mode & 0o777, 0o600);
  // The key stays in the cache; the kubeconfig holds no credential.
  const keyPem = (entry.entry.credential as { clientKeyData: string }).clientKeyData;
  const text = readFileSync(rig.kubeconfig, 'utf8');
  assert.ok(!text.includes(Buffer.from(keyPem).toString('base64')) && !text.includes('PRIVATE KEY'));
  if (!requireKubectl(t)) return;
  const reads = secretReads();
  const v = await version();
  assert.equal(v.code, 0, v.stderr);
  assert.equal(secretReads(), reads, 'the cache hit did not read the Secret');
  assert.equal(rig.tenantApi.requests.at(-1)?.user?.username, 'kubernetes-admin');
});

test('Kamaji re-issues the certificates with a new client CA: after the cached one expires kubectl works again with no setup', async (t) => {
  if (!requireKubectl(t)) return;
  const kubeconfigBefore = readFileSync(rig.kubeconfig, 'utf8');
  await rig.tenantApi.rotateClientCa();
  await rig.putSecret();
  expireTenantEntries();
  const reads = secretReads();
  const v = await version();
  assert.equal(v.code, 0, v.stderr);
  assert.equal(secretReads(), reads + 1, 'the Secret was read again');
  assert.equal(readFileSync(rig.kubeconfig, 'utf8'), kubeconfigBefore, 'no setup, no kubeconfig change');
});

test('a CA rotation before NotAfter: kubectl gets 401; kubecred login reads the Secret again and kubectl works', async (t) => {
  if (!requireKubectl(t)) return;
  await rig.tenantApi.rotateClientCa();
  await rig.putSecret();
  const refused = await version();
  assert.notEqual(refused.code, 0);
  assert.match(refused.stderr, /Unauthorized|must be logged in/);
  // doctor names the likely cause instead of leaving the user guessing.
  const doctor = await rig.kubecred(['doctor', '--context', 'acme-dev']);
  assert.notEqual(doctor.code, 0);
  assert.match(
    doctor.stdout,
    /✘ credential: the API server does not accept the cached credential \(401\): .*client CA was rotated before NotAfter/,
  );
  assert.match(doctor.stdout, /fix: kubecred login --context acme-dev/);
  const login = await rig.kubecred(['login', '--context', 'acme-dev']);
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stdout, /kubernetes-admin/);
  const v = await version();
  assert.equal(v.code, 0, v.stderr);
});

test("a new serving CA: kubecred login updates the cluster's certificate-authority-data in the kubeconfig", async (t) => {
  if (!requireKubectl(t)) return;
  const newCa = await rig.tenantApi.rotateServingCa();
  await rig.putSecret();
  const refused = await version();
  assert.notEqual(refused.code, 0);
  const login = await rig.kubecred(['login', '--context', 'acme-dev']);
  assert.equal(login.code, 0, login.stderr);
  const cluster = parse(readFileSync(rig.kubeconfig, 'utf8')).clusters.find((c: { name: string }) => c.name === 'acme-dev').cluster;
  assert.equal(Buffer.from(cluster['certificate-authority-data'], 'base64').toString('utf8'), newCa);
  const v = await version();
  assert.equal(v.code, 0, v.stderr);
});

test('setup-context tenant errors: one line, exit 1, kubeconfig untouched', async () => {
  const before = readFileSync(rig.kubeconfig, 'utf8');
  for (const [args, pattern] of [
    [['--cluster', 'nope'], /Secret kubernetes-nope-admin-kubeconfig not found in namespace tenant-acme .*tenant acme has cluster dev/],
    [['--cluster', 'dev', '--management-context', 'mgmt-mallory'], /identity mallory cannot get secrets in tenant-acme/],
  ] as const) {
    const r = await rig.kubecred([
      'setup-context',
      'tenant',
      '--context',
      'x',
      '--tenant',
      'acme',
      '--management-context',
      'mgmt',
      ...args,
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr.trim().split('\n').at(-1)!, pattern);
    assert.equal(readFileSync(rig.kubeconfig, 'utf8'), before);
  }
});
