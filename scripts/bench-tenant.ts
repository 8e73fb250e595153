// Bench: the cache hit of `get-token tenant` (a Kamaji client certificate and its RSA key: a bigger
// ExecCredential than a token) against `node -e 0`. The PEM blocks have the sizes of Kamaji's
// RSA-2048 material; the fast path prints them without parsing.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEntry } from '../src/store/token-cache.js';
import { cacheKey } from '../src/store/cache-key.js';
import { parseFlags } from '../src/exec/flags.js';
import { tenantModule } from '../src/providers/tenant/module.js';
import { bin, comparePaired, measure, printRow } from './bench-lib.js';

function pem(label: string, bytes: number): string {
  const body = randomBytes(bytes).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

export async function tenantCacheHitScenario(): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'kubecred-bench-tenant-'));
  const args = ['get-token', 'tenant', '--management-context=cozy', '--tenant=acme', '--cluster=dev'];
  const identity = tenantModule.identity(parseFlags(tenantModule.getTokenFlags, args.slice(2)).values);
  writeEntry(join(home, 'cache', 'kubecred'), cacheKey(identity), {
    v: 1,
    provider: 'tenant',
    identity,
    label: 'kubernetes-admin',
    storage: 'disk',
    expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    obtainedAt: new Date().toISOString(),
    credential: { clientCertificateData: pem('CERTIFICATE', 830), clientKeyData: pem('RSA PRIVATE KEY', 1190) },
  });
  const env = {
    ...process.env,
    HOME: home,
    KUBECACHEDIR: join(home, 'cache'),
    KUBERNETES_EXEC_INFO: JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', spec: { interactive: false } }),
  };
  try {
    printRow(await comparePaired('get-token tenant (cache hit, certificate)', () => measure([process.execPath, bin, ...args], env)), '  (target ≤ 1.10x wall)');
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
