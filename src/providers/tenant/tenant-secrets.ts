// The Cozystack side of reading a tenant kubeconfig: which Secret and key, what a missing one means
// (list the clusters the tenant does have), and the --list overview. Network through ManagementClient.
import { KubecredError } from '../../shared/errors.js';
import { ForbiddenError, SecretNotFoundError, type ManagementClient } from './management.js';
import { parseTenantKubeconfig, secretValue, type TenantKubeconfig } from './kubeconfig-payload.js';
import {
  CERT_VARIANTS,
  OIDC_KEY,
  adminSecretName,
  clusterOfSecret,
  oidcSecretName,
  secretKey,
  tenantNamespace,
  tenantOfNamespace,
  type FetchVariant,
} from './names.js';

export interface TenantClusterRef {
  tenant: string;
  cluster: string;
  variant: FetchVariant;
  internal: boolean;
}

export interface FetchedKubeconfig extends TenantKubeconfig {
  /** `tenant-t/kubernetes-c-admin-kubeconfig key admin.conf`, for messages. */
  where: string;
  namespace: string;
  secretName: string;
  key: string;
}

async function clustersOf(client: ManagementClient, namespace: string): Promise<string> {
  try {
    const names = (await client.listSecrets(namespace))
      .map((s) => clusterOfSecret(s.metadata.name))
      .filter((c): c is string => c !== undefined)
      .sort();
    return names.length
      ? `tenant ${tenantOfNamespace(namespace)} has cluster${names.length > 1 ? 's' : ''} ${names.join(', ')}`
      : `tenant ${tenantOfNamespace(namespace)} has no clusters (or no namespace ${namespace})`;
  } catch (err) {
    return err instanceof ForbiddenError
      ? `the clusters of ${namespace} cannot be listed with this identity`
      : 'the clusters of the tenant could not be listed';
  }
}

/** Reads, decodes and checks one tenant kubeconfig. */
export async function readTenantKubeconfig(client: ManagementClient, ref: TenantClusterRef, nowMs: number): Promise<FetchedKubeconfig> {
  const namespace = tenantNamespace(ref.tenant);
  const secretName = ref.variant === 'oidc' ? oidcSecretName(ref.cluster) : adminSecretName(ref.cluster);
  const key = ref.variant === 'oidc' ? OIDC_KEY : secretKey(ref.variant, ref.internal);
  let secret;
  try {
    secret = await client.readSecret(namespace, secretName);
  } catch (err) {
    if (!(err instanceof SecretNotFoundError)) throw err;
    throw new KubecredError(
      `Secret ${secretName} not found in namespace ${namespace} (management context ${client.contextName}): ${await clustersOf(client, namespace)}; check --tenant and --cluster`,
    );
  }
  const where = `Secret ${namespace}/${secretName}`;
  const text = secretValue(secret, key, where);
  const parsed = parseTenantKubeconfig(text, `${where} key ${key}`, nowMs, { allowExec: ref.variant === 'oidc' });
  return { ...parsed, where: `${where} key ${key}`, namespace, secretName, key };
}

export interface TenantClusterListing {
  tenant: string;
  cluster: string;
  /** Keys present: admin.conf, super-admin.svc, … */
  keys: string[];
  variants: string[];
  /** NotAfter of admin.conf's certificate, when it parses. */
  expiresAt?: Date;
  /** Whether kubernetes-<C>-oidc-kubeconfig exists too. */
  oidc: boolean;
}

/** `fetch-kubeconfig --list`: admin kubeconfig Secrets in tenant-* namespaces the identity can see. */
export async function listTenantClusters(client: ManagementClient, tenant: string | undefined): Promise<TenantClusterListing[]> {
  const secrets = await client.listSecrets(tenant === undefined ? undefined : tenantNamespace(tenant));
  const names = new Set(secrets.map((s) => `${s.metadata.namespace}/${s.metadata.name}`));
  const out: TenantClusterListing[] = [];
  for (const s of secrets) {
    const cluster = clusterOfSecret(s.metadata.name);
    const t = tenantOfNamespace(s.metadata.namespace ?? '');
    if (cluster === undefined || t === undefined) continue;
    const keys = Object.keys(s.data ?? {}).sort();
    const variants = CERT_VARIANTS.filter((v) => keys.includes(secretKey(v, false)) || keys.includes(secretKey(v, true))) as string[];
    const oidc = names.has(`${s.metadata.namespace}/${oidcSecretName(cluster)}`);
    let expiresAt: Date | undefined;
    try {
      const key = keys.includes('admin.conf') ? 'admin.conf' : keys[0];
      if (key) expiresAt = parseTenantKubeconfig(secretValue(s, key, s.metadata.name), key, 0).certificate?.notAfter;
    } catch {
      expiresAt = undefined;
    }
    out.push({ tenant: t, cluster, keys, variants: oidc ? [...variants, 'oidc'] : variants, expiresAt, oidc });
  }
  return out.sort((a, b) => (a.tenant + '/' + a.cluster < b.tenant + '/' + b.cluster ? -1 : 1));
}
