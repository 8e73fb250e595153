// Provider kind → (get-token flags, identity function). Shared by the fast path and the full CLI,
// so both compute the same key. Pure: imports only flag tables and identity functions.
import type { FlagSpec, FlagValues } from '../exec/flags.js';
import type { Identity } from '../store/cache-key.js';
import { oidcGetTokenFlags } from './oidc/flags.js';
import { oidcIdentity } from './oidc/identity.js';
import { keystoneGetTokenFlags } from './keystone/flags.js';
import { keystoneIdentity } from './keystone/identity.js';
import { tenantGetTokenFlags } from './tenant/flags.js';
import { tenantIdentity } from './tenant/identity.js';

export interface ProviderIdentityRule {
  flags: readonly FlagSpec[];
  /** Whether the provider's flags read the environment (OS_*): the fast path must pass env. */
  identity(values: FlagValues): Identity;
}

export const identityRules: Record<string, ProviderIdentityRule> = {
  oidc: { flags: oidcGetTokenFlags, identity: oidcIdentity },
  keystone: { flags: keystoneGetTokenFlags, identity: keystoneIdentity },
  tenant: { flags: tenantGetTokenFlags, identity: tenantIdentity },
};
