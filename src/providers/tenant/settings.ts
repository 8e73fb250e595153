// get-token tenant / setup-context tenant flags → validated settings.
import { booleanFlag, stringFlag, type FlagValues } from '../../exec/flags.js';
import { UsageError } from '../../shared/errors.js';
import { isDnsLabel, type CertVariant, type FetchVariant } from './names.js';
import type { ManagementTarget } from './management.js';

export interface TenantSettings {
  management: ManagementTarget & { context: string };
  tenant: string;
  cluster: string;
  variant: CertVariant;
  internal: boolean;
}

export function requireName(values: FlagValues, flag: 'tenant' | 'cluster'): string {
  const value = stringFlag(values, flag);
  if (value === undefined || value === '')
    throw new UsageError(
      `--${flag} is required: the Cozystack ${flag === 'tenant' ? 'tenant (namespace tenant-<tenant>)' : 'tenant cluster name'}`,
    );
  if (!isDnsLabel(value))
    throw new UsageError(`--${flag} ${JSON.stringify(value)} is not a Kubernetes name (lowercase letters, digits and -)`);
  return value;
}

export function parseVariant(values: FlagValues, allowOidc: boolean): FetchVariant {
  const v = stringFlag(values, 'variant') ?? 'admin';
  if (v === 'admin' || v === 'super-admin' || (allowOidc && v === 'oidc')) return v;
  throw new UsageError(`--variant takes admin or super-admin${allowOidc ? ' or oidc' : ''}, not ${JSON.stringify(v)}`);
}

export function tenantSettings(values: FlagValues): TenantSettings {
  const context = stringFlag(values, 'management-context');
  if (!context)
    throw new UsageError(
      "--management-context is required: the kubeconfig context of the Cozystack management cluster that can read the tenant's Secrets",
    );
  const kubeconfig = stringFlag(values, 'management-kubeconfig') || undefined;
  return {
    management: { context, kubeconfig },
    tenant: requireName(values, 'tenant'),
    cluster: requireName(values, 'cluster'),
    variant: parseVariant(values, false) as CertVariant,
    internal: booleanFlag(values, 'internal'),
  };
}
