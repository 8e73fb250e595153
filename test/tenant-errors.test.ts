// Every failure of fetch-kubeconfig: one line, exit 1, the kubeconfig untouched.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { adminKubeconfigData, certKubeconfig } from './fixtures/cozystack.js';
import { createCa } from './fixtures/certs.js';
import { parseTenantKubeconfig } from '../src/providers/tenant/kubeconfig-payload.js';
import { startTenantRig, CLUSTER, TENANT, type TenantRig } from './helpers/tenant/rig.js';

let rig: TenantRig;
before(async () => {
  rig = await startTenantRig();
  await rig.putSecret({ cluster: 'prod' });
});
after(async () => {
  await rig?.close();
});

async function fails(args: string[], pattern: RegExp): Promise<string> {
  const before = readFileSync(rig.kubeconfig, 'utf8');
  const r = await rig.kubecred(['fetch-kubeconfig', '--tenant', TENANT, ...args, '--merge']);
  assert.equal(r.code, 1, `exit code 1 for ${args.join(' ')}: ${r.stderr}`);
  assert.equal(r.stdout, '');
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.equal(readFileSync(rig.kubeconfig, 'utf8'), before, 'kubeconfig untouched');
  return lines[0]!;
}

test('403: the management identity may not read the tenant namespace', async () => {
  await fails(
    ['--cluster', CLUSTER, '--management-context', 'mgmt-mallory'],
    /^kubecred: identity mallory cannot get secrets in tenant-acme: /,
  );
  // The fixture answered with kube-apiserver's Status, word for word.
  const denied = rig.management.requests.find((r) => r.status === 403);
  assert.ok(denied);
});

test('404: names the Secret and namespace and lists the clusters the tenant has', async () => {
  await fails(
    ['--cluster', 'staging'],
    /^kubecred: Secret kubernetes-staging-admin-kubeconfig not found in namespace tenant-acme \(management context mgmt\): tenant acme has clusters dev, prod; check --tenant and --cluster$/,
  );
});

test('missing key: lists the keys present', async () => {
  const data = await adminKubeconfigData(rig.tenantApi, TENANT, 'half');
  rig.management.putSecret('tenant-acme', 'kubernetes-half-admin-kubeconfig', { 'admin.conf': data['admin.conf']! });
  await fails(
    ['--cluster', 'half', '--variant', 'super-admin'],
    /^kubecred: Secret tenant-acme\/kubernetes-half-admin-kubeconfig has no key super-admin\.conf \(it has admin\.conf\): /,
  );
});

test('unknown management context: lists the contexts', async () => {
  await fails(
    ['--cluster', CLUSTER, '--management-context', 'nope'],
    /^kubecred: context "nope" not found in .*\(available: mgmt, mgmt-mallory\)$/,
  );
});

test('unreachable management cluster: says so with the address', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const file = join(rig.home, 'gone.yaml');
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'gone', cluster: { server: `https://127.0.0.1:${port}` } }],
      users: [{ name: 'u', user: { token: 'abc' } }],
      contexts: [{ name: 'gone', context: { cluster: 'gone', user: 'u' } }],
    }),
  );
  await fails(
    ['--cluster', CLUSTER, '--management-kubeconfig', file, '--management-context', 'gone'],
    new RegExp(`^kubecred: the management cluster https://127\\.0\\.0\\.1:${port} \\(context gone\\) is unreachable: ECONNREFUSED`),
  );
});

test('hostile: a Secret whose key is not a kubeconfig (binary, YAML of another kind, an alias bomb) is one line, nothing written', async () => {
  const bomb =
    'a: &a ["x","x","x","x","x","x","x","x","x"]\n' +
    Array.from(
      { length: 8 },
      (_, i) =>
        `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)},*${String.fromCharCode(97 + i)}]`,
    ).join('\n') +
    '\n';
  const payloads: Array<[string, string]> = [
    ['binary', '\u0000\u0001\u0002\u00ff not yaml {{{'],
    ['other', stringify({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } })],
    ['bomb', bomb],
  ];
  for (const [name, text] of payloads) {
    rig.management.putSecret('tenant-acme', `kubernetes-${name}-admin-kubeconfig`, { 'admin.conf': text });
    await fails(['--cluster', name], /is not (YAML|a kubeconfig)|alias|too large/i);
  }
});

test('an expired certificate, a key of another certificate, or two users in the Secret are refused', async () => {
  const ca = await createCa();
  const expired = await ca.issueClientCert('kubernetes-admin', [], {
    notBefore: new Date(Date.now() - 7200_000),
    notAfter: new Date(Date.now() - 3600_000),
  });
  const other = await ca.issueClientCert('kubernetes-admin', []);
  const now = Date.now();
  assert.throws(
    () => parseTenantKubeconfig(certKubeconfig('https://x', ca.caPem, 'kubernetes-admin', expired), 'k', now),
    /the client certificate expired at/,
  );
  assert.throws(
    () =>
      parseTenantKubeconfig(certKubeconfig('https://x', ca.caPem, 'kubernetes-admin', { cert: other.cert, key: expired.key }), 'k', now),
    /the client key does not belong to the client certificate/,
  );
  const ok = parseTenantKubeconfig(certKubeconfig('https://x', ca.caPem, 'kubernetes-admin', other), 'k', now);
  assert.equal(ok.certificate?.commonName, 'kubernetes-admin');
  const two = certKubeconfig('https://x', ca.caPem, 'kubernetes-admin', other).replace(
    'users:\n',
    'users:\n  - name: extra\n    user: {token: t}\n',
  );
  assert.throws(() => parseTenantKubeconfig(two, 'k', now), /expected one user, found 2/);
  // And through the CLI: an expired certificate in the Secret.
  const data = await adminKubeconfigData(rig.tenantApi, TENANT, 'old', { notAfter: new Date(now - 1000) });
  rig.management.putSecret('tenant-acme', 'kubernetes-old-admin-kubeconfig', data);
  await fails(['--cluster', 'old'], /the client certificate expired at .*Kamaji has not re-issued it/);
});

test('usage errors exit 2', async () => {
  for (const args of [
    ['--cluster', CLUSTER, '-o', 'x', '--merge'],
    ['--cluster', 'Bad_Name'],
    ['--cluster', CLUSTER, '--variant', 'root'],
    ['--cluster', CLUSTER, '--as', 'x'],
  ]) {
    const r = await rig.kubecred(['fetch-kubeconfig', '--tenant', TENANT, ...args]);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});
