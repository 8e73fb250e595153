// What makes one tenant identity (the cache key input): the management context it is read through,
// the tenant cluster and which of its kubeconfigs. Imports only leaf modules.
import type { Identity } from '../../store/cache-key.js';
import { booleanFlag, stringFlag, type FlagValues } from '../../exec/flags.js';

export function tenantIdentity(values: FlagValues): Identity {
  return {
    provider: 'tenant',
    managementContext: stringFlag(values, 'management-context') ?? '',
    managementKubeconfig: stringFlag(values, 'management-kubeconfig'),
    tenant: stringFlag(values, 'tenant') ?? '',
    cluster: stringFlag(values, 'cluster') ?? '',
    variant: stringFlag(values, 'variant') ?? 'admin',
    internal: booleanFlag(values, 'internal'),
  };
}
