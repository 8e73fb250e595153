// Full providers, loaded on demand so one provider's dependencies never load for another.
import type { CredentialProvider, ProviderKind } from './types.js';
import { UsageError } from '../exec/flags.js';

const loaders: Record<string, () => Promise<CredentialProvider<any>>> = {
  oidc: async () => (await import('./oidc/provider.js')).oidcProvider,
  keystone: async () => (await import('./keystone/provider.js')).keystoneProvider,
  // TEMPORARY until the provider-modules refactor: the tenant provider in the old shape.
  tenant: async () => {
    const [{ provider }, { tenantModule }] = await Promise.all([import('./tenant/provider.js'), import('./tenant/module.js')]);
    return { ...provider, kind: 'tenant', getTokenFlags: tenantModule.getTokenFlags, identity: tenantModule.identity } as unknown as CredentialProvider<any>;
  },
};

export const providerKinds = Object.keys(loaders) as ProviderKind[];

export async function loadProvider(kind: string): Promise<CredentialProvider<unknown>> {
  const load = loaders[kind];
  if (!load) throw new UsageError(`unknown provider ${JSON.stringify(kind)}: use one of ${Object.keys(loaders).join(', ')}`);
  return load();
}
