// Cozystack's naming: namespace tenant-<T>, Secret kubernetes-<C>-admin-kubeconfig with four keys
// (Kamaji writes them), kubernetes-<C>-oidc-kubeconfig with one. Pure.

export type CertVariant = 'admin' | 'super-admin';
export type FetchVariant = CertVariant | 'oidc';

export const CERT_VARIANTS: readonly CertVariant[] = ['admin', 'super-admin'];

export function tenantNamespace(tenant: string): string {
  return `tenant-${tenant}`;
}

export function adminSecretName(cluster: string): string {
  return `kubernetes-${cluster}-admin-kubeconfig`;
}

export function oidcSecretName(cluster: string): string {
  return `kubernetes-${cluster}-oidc-kubeconfig`;
}

export const OIDC_KEY = 'kubeconfig';

/** admin.conf, super-admin.conf, or their .svc forms (in-cluster address). */
export function secretKey(variant: CertVariant, internal: boolean): string {
  return `${variant}.${internal ? 'svc' : 'conf'}`;
}

const ADMIN_SECRET = /^kubernetes-(.+)-admin-kubeconfig$/;

/** The cluster an admin kubeconfig Secret belongs to, or undefined for any other Secret. */
export function clusterOfSecret(name: string): string | undefined {
  return ADMIN_SECRET.exec(name)?.[1];
}

/** The tenant of a namespace, or undefined when it is not a tenant-* namespace. */
export function tenantOfNamespace(namespace: string): string | undefined {
  return namespace.startsWith('tenant-') && namespace.length > 'tenant-'.length ? namespace.slice('tenant-'.length) : undefined;
}

/** Kubernetes object names (RFC 1123 labels, what a tenant or cluster name can be in Cozystack). */
export function isDnsLabel(value: string): boolean {
  return /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(value);
}
