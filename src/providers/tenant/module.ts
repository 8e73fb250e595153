// The tenant provider as the registry lists it: pure data and functions, and the provider's loader.
import type { ProviderModule } from '../types.js';
import { tenantGetTokenFlags } from './flags.js';
import { tenantIdentity } from './identity.js';

export const tenantModule: ProviderModule = {
  kind: 'tenant',
  source: "a Cozystack tenant cluster's admin kubeconfig Secret",
  setupDescription: 'write a context for a Cozystack tenant cluster whose client certificate kubecred reads from the management cluster',
  getTokenFlags: tenantGetTokenFlags,
  identity: tenantIdentity,
  setupFlags: [],
  // Server and CA come from the Secret: setup-context needs no --server.
  clusterFromProvider: true,
  // Nothing stored: the Secret is read again through the management context whenever needed.
  secretNames: { session: [], config: [] },
  load: async () => (await import('./provider.js')).provider,
};
