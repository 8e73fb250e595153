// The tenant-cluster commands of docs/platforms/cozystack.md, run as written (the management context
// renamed to the rig's, `kubecred` and kubectl on PATH) against the two API server fixtures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { findKubectl, requireKubectl } from './fixtures/kubectl.js';
import { oidcKubeconfig, oidcSecretName } from './fixtures/cozystack.js';
import { kubecredBin, repoRoot } from './helpers/cli.js';
import { startTenantRig, type TenantRig } from './helpers/tenant/rig.js';

let rig: TenantRig;
before(async () => {
  rig = await startTenantRig();
  rig.management.putSecret('tenant-acme', oidcSecretName('dev'), {
    kubeconfig: oidcKubeconfig(rig.tenantApi, { issuer: 'https://keycloak.example.org/realms/cozy', clientId: 'kubernetes' }),
  });
});
after(async () => {
  await rig?.close();
});

/** The bash blocks of the "After (tenant clusters)" section, in order. */
function blocks(): string[] {
  const text = readFileSync(join(repoRoot, 'docs', 'platforms', 'cozystack.md'), 'utf8');
  const section = text.slice(text.indexOf('\n### After (tenant clusters): kubecred'));
  return [...section.matchAll(/```bash\n([\s\S]*?)```/g)].map((m) =>
    m[1]!.replaceAll('--management-context cozy', '--management-context mgmt'),
  );
}

function bash(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const bin = join(rig.home, 'bin');
  mkdirSync(bin, { recursive: true });
  try {
    symlinkSync(kubecredBin, join(bin, 'kubecred'));
  } catch {
    // made by the first block
  }
  const kubectl = findKubectl()!.path;
  const env = { ...rig.env, PATH: `${bin}:${resolve(kubectl, '..')}:${rig.env.PATH}` };
  // kubectl on PATH may be gcloud's dispatcher: name the real one.
  const body = script.replace(/^kubectl /gm, `${kubectl} `);
  return new Promise((done) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', body], { env, cwd: rig.home, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

test('cozystack.md: setup-context tenant as written, then kubectl', async (t) => {
  if (!requireKubectl(t)) return;
  const r = await bash(blocks()[0]!);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /context "acme-dev": added/);
  assert.match(r.stdout, /Server Version/);
});

test('cozystack.md: the fetch-kubeconfig lines for all four variants, --merge, oidc and --list', async (t) => {
  if (!requireKubectl(t)) return;
  const r = await bash(blocks()[1]!);
  assert.equal(r.code, 0, r.stderr);
  for (const f of ['admin.svc', 'super-admin.conf', 'super-admin.svc']) assert.equal(statSync(join(rig.home, f)).mode & 0o777, 0o600, f);
  assert.equal(parse(readFileSync(join(rig.home, 'super-admin.svc'), 'utf8')).users[0].name, 'kubernetes-super-admin');
  const config = parse(readFileSync(rig.kubeconfig, 'utf8'));
  assert.equal(config['current-context'], 'acme-dev', 'still the context of the first block');
  assert.ok(config.users.some((u: { name: string }) => u.name === 'acme-dev-admin'));
  const oidcUser = config.users.find((u: { name: string }) => u.name === 'acme-dev-oidc').user;
  assert.deepEqual(oidcUser.exec.args.slice(0, 4), [
    'get-token',
    'oidc',
    '--issuer-url=https://keycloak.example.org/realms/cozy',
    '--client-id=kubernetes',
  ]);
  assert.match(r.stdout, /^acme\s+dev\s+admin,super-admin,oidc\s+\d{4}-/m);
});
