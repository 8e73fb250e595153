// The tenant provider's pieces, driven directly against the two API server fixtures: obtain, setup,
// describe, and what a Kamaji re-issue (new client CA) looks like to it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { provider } from '../src/providers/tenant/provider.js';
import { tenantModule } from '../src/providers/tenant/module.js';
import { parseFlags } from '../src/exec/flags.js';
import { cacheKey } from '../src/store/cache-key.js';
import type { CacheEntry } from '../src/store/token-cache.js';
import type { Infrastructure } from '../src/infra/types.js';
import { startTenantRig, type TenantRig } from './helpers/tenant/rig.js';

let rig: TenantRig;
before(async () => {
  rig = await startTenantRig();
});
after(async () => {
  await rig?.close();
});

function infra(): Infrastructure {
  return {
    clock: { now: () => Date.now() },
    log: { info: () => {}, debug: () => {}, warn: () => {} },
    prompt: {
      available: false,
      secret: async () => {
        throw new Error('no prompt');
      },
      line: async () => {
        throw new Error('no prompt');
      },
    },
    browser: { open: async () => {} },
    env: rig.env,
    stderrIsTTY: false,
    http: undefined as never,
  };
}

const ARGS = ['--management-context=mgmt', '--tenant=acme', '--cluster=dev'];

function ctx() {
  const values = parseFlags(tenantModule.getTokenFlags, ARGS).values;
  return {
    values,
    settings: provider.settings(values, rig.env),
    context: {
      infra: infra(),
      interactive: false,
      key: cacheKey(tenantModule.identity(values)),
      loginCommand: async () => 'kubecred login --context x',
      secrets: undefined as never,
      sharedSecrets: () => undefined as never,
    },
  };
}

function entryOf(obtained: Awaited<ReturnType<typeof provider.obtain>>, values: ReturnType<typeof ctx>['values']): CacheEntry {
  return {
    v: 1,
    provider: 'tenant',
    identity: tenantModule.identity(values),
    label: obtained.label,
    storage: 'disk',
    expiresAt: obtained.expiresAt.toISOString(),
    obtainedAt: new Date().toISOString(),
    credential: obtained.material,
    meta: obtained.meta,
  };
}

test('obtain: the client certificate and key of admin.conf, expiring at its NotAfter; describe names CN, O, NotAfter, tenant/cluster/variant', async () => {
  const notAfter = new Date(Math.floor(Date.now() / 1000) * 1000 + 3 * 3600_000);
  await rig.putSecret({ notAfter });
  const { values, settings, context } = ctx();
  const obtained = await provider.obtain(context as never, settings, undefined, 'auto');
  assert.ok('clientCertificateData' in obtained.material);
  const cert = new X509Certificate((obtained.material as { clientCertificateData: string }).clientCertificateData);
  assert.match(cert.subject, /CN=kubernetes-admin/);
  assert.equal(obtained.expiresAt.getTime(), notAfter.getTime());
  assert.equal(obtained.label, 'kubernetes-admin');
  const d = provider.describe(entryOf(obtained, values));
  const fields = Object.fromEntries(d.fields);
  assert.equal(fields['certificate CN'], 'kubernetes-admin');
  assert.deepEqual(fields['certificate O'], ['kubeadm:cluster-admins']);
  assert.equal(fields['certificate NotAfter'], notAfter.toISOString());
  assert.equal(fields.tenant, 'acme');
  assert.equal(fields.cluster, 'dev');
  assert.equal(fields.variant, 'admin');
  assert.equal(d.source, rig.tenantApi.url);
  assert.match(d.summary, /kubernetes-admin @ tenant acme cluster dev \(admin\)/);
  // Nothing secret in what whoami shows.
  assert.ok(!JSON.stringify(d).includes('PRIVATE KEY'));
});

test('after a Kamaji re-issue with a new client CA, obtain reads the new certificate (the old one is refused by the tenant cluster)', async () => {
  const { settings, context } = ctx();
  const first = await provider.obtain(context as never, settings, undefined, 'auto');
  await rig.tenantApi.rotateClientCa();
  await rig.putSecret();
  const second = await provider.obtain(context as never, settings, undefined, 'auto');
  assert.notEqual(second.meta?.fingerprint, first.meta?.fingerprint);
  const asPem = (o: typeof first) => ({
    cert: (o.material as { clientCertificateData: string }).clientCertificateData,
    key: (o.material as { clientKeyData: string }).clientKeyData,
  });
  assert.equal((await rig.tenantApi.request('/version', { cert: asPem(first) })).status, 401);
  assert.equal((await rig.tenantApi.request('/version', { cert: asPem(second) })).status, 200);
});

test('setup: cluster server and CA from the Secret, canonical exec args, a warm credential', async () => {
  const values = parseFlags(tenantModule.getTokenFlags, [
    '--tenant',
    'acme',
    '--cluster',
    'dev',
    '--management-context',
    'mgmt',
    '--variant',
    'super-admin',
    '--token-cache-storage=keyring',
  ]).values;
  const plan = await provider.setup({ infra: infra(), interactive: false, sharedSecrets: () => undefined as never } as never, {
    contextName: 'dev',
    values,
    passArgs: ['--cluster=dev', '--management-context=mgmt', '--tenant=acme', '--token-cache-storage=keyring', '--variant=super-admin'],
    force: false,
    interactive: false,
  });
  assert.deepEqual(plan.args, [
    '--management-context=mgmt',
    '--tenant=acme',
    '--cluster=dev',
    '--variant=super-admin',
    '--token-cache-storage=keyring',
  ]);
  assert.equal(plan.cluster?.server, rig.tenantApi.url);
  assert.equal(Buffer.from(String(plan.cluster?.['certificate-authority-data']), 'base64').toString('utf8'), rig.tenantApi.caPem);
  assert.equal(plan.warm?.label, 'kubernetes-super-admin');
  assert.ok(!plan.args.some((a) => a.includes('PRIVATE')));
});

test('settings: --management-context, --tenant and --cluster are required; variant admin|super-admin', () => {
  const bad = [
    [],
    ['--management-context=m', '--cluster=dev'],
    ['--management-context=m', '--tenant=acme'],
    [...ARGS, '--variant=oidc'],
    ['--tenant=acme', '--cluster=dev'],
  ];
  for (const argv of bad)
    assert.throws(
      () => provider.settings(parseFlags(tenantModule.getTokenFlags, argv).values, {}),
      (e: Error & { exitCode?: number }) => e.exitCode === 2,
      argv.join(' '),
    );
});

test('identity: variant and --internal make different cache keys; flag order does not', () => {
  const key = (argv: string[]) => cacheKey(tenantModule.identity(parseFlags(tenantModule.getTokenFlags, argv).values));
  assert.equal(key(ARGS), key([...ARGS].reverse()));
  assert.equal(key(ARGS), key([...ARGS, '--variant=admin']));
  assert.notEqual(key(ARGS), key([...ARGS, '--variant=super-admin']));
  assert.notEqual(key(ARGS), key([...ARGS, '--internal']));
  assert.notEqual(key(ARGS), key(['--management-context=other', '--tenant=acme', '--cluster=dev']));
});
