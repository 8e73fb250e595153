// Cozystack tenant clusters: the client certificate of an admin kubeconfig that Kamaji keeps in the
// management cluster (Secret kubernetes-<C>-admin-kubeconfig in tenant-<T>). Nothing is stored but the
// cached credential: when its certificate expires (Kamaji re-issues it before), the Secret is read
// again, so kubectl keeps working across rotations without anyone running setup.
import { resolve } from 'node:path';
import type { CredentialDescription, CredentialProvider, ObtainedCredential, SetupPlan } from '../types.js';
import type { CacheEntry } from '../../store/token-cache.js';
import { openManagement, type ManagementOptions } from './management.js';
import { readTenantKubeconfig, type FetchedKubeconfig } from './tenant-secrets.js';
import { tenantSettings, type TenantSettings } from './settings.js';
import { KubecredError } from '../../shared/errors.js';

const TOKEN_REREAD_MS = 60 * 60 * 1000;

/** A JWT's exp, else an hour: a token kubeconfig says nothing about its lifetime. */
function tokenExpiry(token: string, nowMs: number): Date {
  const payload = token.split('.')[1];
  try {
    const exp = (JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')) as { exp?: unknown }).exp;
    if (typeof exp === 'number') return new Date(exp * 1000);
  } catch {
    // not a JWT
  }
  return new Date(nowMs + TOKEN_REREAD_MS);
}

export function credentialFrom(
  fetched: FetchedKubeconfig,
  s: TenantSettings,
  managementContext: string,
  nowMs: number,
): ObtainedCredential {
  const material = fetched.material;
  if (!material) throw new KubecredError(`${fetched.where}: the user holds no client certificate or token`);
  const cert = fetched.certificate;
  return {
    material,
    expiresAt: cert ? cert.notAfter : tokenExpiry((material as { token: string }).token, nowMs),
    label: cert?.commonName ?? 'token',
    meta: {
      tenant: s.tenant,
      cluster: s.cluster,
      variant: s.variant,
      internal: s.internal,
      managementContext,
      secret: `${fetched.namespace}/${fetched.secretName}`,
      key: fetched.key,
      server: fetched.server,
      ...(cert
        ? {
            commonName: cert.commonName,
            organizations: cert.organizations,
            notAfter: cert.notAfter.toISOString(),
            fingerprint: cert.fingerprint,
          }
        : {}),
      // Not a secret: lets `kubecred login` put a rotated CA into the kubeconfig's cluster.
      ...(fetched.caData ? { clusterCertificateAuthorityData: fetched.caData } : {}),
    },
  };
}

async function fetchFor(
  s: TenantSettings,
  options: ManagementOptions,
  nowMs: number,
): Promise<{ fetched: FetchedKubeconfig; context: string }> {
  const client = await openManagement(s.management, options);
  const fetched = await readTenantKubeconfig(
    client,
    { tenant: s.tenant, cluster: s.cluster, variant: s.variant, internal: s.internal },
    nowMs,
  );
  return { fetched, context: client.contextName };
}

/** The exec args: canonical tenant flags (absolute management kubeconfig), then the other given flags. */
function setupArgs(s: TenantSettings, passArgs: readonly string[]): string[] {
  const ours = new Set(['management-context', 'management-kubeconfig', 'tenant', 'cluster', 'variant', 'internal']);
  const rest = passArgs.filter((a) => !ours.has(/^--([^=]+)/.exec(a)?.[1] ?? ''));
  return [
    `--management-context=${s.management.context}`,
    ...(s.management.kubeconfig ? [`--management-kubeconfig=${resolve(s.management.kubeconfig)}`] : []),
    `--tenant=${s.tenant}`,
    `--cluster=${s.cluster}`,
    ...(s.variant !== 'admin' ? [`--variant=${s.variant}`] : []),
    ...(s.internal ? ['--internal'] : []),
    ...rest,
  ];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

export function describeTenantEntry(entry: CacheEntry): CredentialDescription {
  const m = entry.meta ?? {};
  const id = entry.identity as Record<string, unknown>;
  const tenant = str(m.tenant) ?? str(id.tenant) ?? '?';
  const cluster = str(m.cluster) ?? str(id.cluster) ?? '?';
  const variant = str(m.variant) ?? str(id.variant) ?? 'admin';
  const cn = str(m.commonName) ?? entry.label ?? '?';
  const groups = Array.isArray(m.organizations) ? (m.organizations as unknown[]).map(String) : [];
  const fields: Array<[string, string | string[]]> = [
    ['tenant', tenant],
    ['cluster', cluster],
    ['variant', `${variant}${m.internal === true || id.internal === true ? ' (internal .svc address)' : ''}`],
    ['certificate CN', cn],
    ['certificate O', groups],
    ['certificate NotAfter', str(m.notAfter) ?? entry.expiresAt],
    ['Secret', `${str(m.secret) ?? `tenant-${tenant}/kubernetes-${cluster}-admin-kubeconfig`} key ${str(m.key) ?? '?'}`],
    ['management context', str(m.managementContext) ?? str(id.managementContext) ?? '?'],
  ];
  return {
    source: str(m.server),
    summary: `${cn} @ tenant ${tenant} cluster ${cluster} (${variant})`,
    fields,
    unauthorizedHint:
      'the tenant cluster no longer trusts this certificate: its client CA was rotated before NotAfter (Kamaji re-issued the certificates); login reads the Secret again and updates the CA',
  };
}

export const provider: CredentialProvider<TenantSettings> = {
  settings: (values) => tenantSettings(values),
  async obtain(ctx, settings) {
    const now = ctx.infra.clock.now();
    const { fetched, context } = await fetchFor(
      settings,
      { env: ctx.infra.env, interactive: ctx.interactive, debug: (m) => ctx.infra.log.debug(m) },
      now,
    );
    const obtained = credentialFrom(fetched, settings, context, now);
    ctx.infra.log.debug(`read ${fetched.where}: ${obtained.label}, valid until ${obtained.expiresAt.toISOString()}`);
    return obtained;
  },
  async logout() {
    // A Kamaji client certificate cannot be revoked by its holder; the use case forgets the cached copy.
    return [];
  },
  async setup(ctx, request): Promise<SetupPlan> {
    const s = tenantSettings(request.values);
    const now = ctx.infra.clock.now();
    const { fetched, context } = await fetchFor(
      s,
      { env: ctx.infra.env, interactive: request.interactive, debug: (m) => ctx.infra.log.debug(m) },
      now,
    );
    const warm = credentialFrom(fetched, s, context, now);
    return {
      args: setupArgs(s, request.passArgs),
      cluster: { server: fetched.server, ...(fetched.caData ? { 'certificate-authority-data': fetched.caData } : {}) },
      warm,
      installHint:
        "kubecred reads this tenant cluster's admin kubeconfig from the Cozystack management cluster: install it with npm install -g kubecred",
      lines: [
        `tenant ${s.tenant} cluster ${s.cluster}: ${fetched.where}, ${warm.label}, certificate valid until ${warm.expiresAt.toISOString()} (read again when it expires)`,
      ],
    };
  },
  describe: describeTenantEntry,
};
