// Full providers, loaded on demand so one provider's dependencies never load for another.
import type { CredentialProvider, ProviderKind } from './types.js';
import { UsageError } from '../exec/flags.js';

const loaders: Record<string, () => Promise<CredentialProvider<any>>> = {
  oidc: async () => (await import('./oidc/provider.js')).oidcProvider,
  keystone: async () => (await import('./keystone/provider.js')).keystoneProvider,
};

export const providerKinds = Object.keys(loaders) as ProviderKind[];

export async function loadProvider(kind: string): Promise<CredentialProvider<unknown>> {
  const load = loaders[kind];
  if (!load) throw new UsageError(`unknown provider ${JSON.stringify(kind)}: use one of ${Object.keys(loaders).join(', ')}`);
  return load();
}

/** Providers that can take over another tool's kubeconfig users (convert-kubeconfig). */
export async function loadAdopters(): Promise<import('./adoption.js').AdoptingProvider[]> {
  const [{ identityRules }, oidc, keystone] = await Promise.all([import('./identities.js'), import('./oidc/adopt.js'), import('./keystone/adopt.js')]);
  return [
    { kind: 'oidc', adopt: oidc.adoptOidc, getTokenFlags: identityRules.oidc!.flags, identity: identityRules.oidc!.identity },
    { kind: 'keystone', adopt: keystone.adoptKeystone, getTokenFlags: identityRules.keystone!.flags, identity: identityRules.keystone!.identity },
  ];
}

/** whoami's description of a cached entry of this kind (pure decoding, no network). */
export async function loadDescriber(kind: string): Promise<((entry: import('../store/token-cache.js').CacheEntry) => import('./description.js').CredentialDescription) | undefined> {
  if (kind === 'oidc') return (await import('./oidc/describe.js')).describeOidcEntry;
  if (kind === 'keystone') return (await import('./keystone/describe.js')).describeKeystoneEntry;
  return undefined;
}

/** doctor's checks of this kind's servers and secrets. */
export async function loadDoctor(kind: string): Promise<import('./adoption.js').ProviderDoctor | undefined> {
  if (kind === 'oidc') return (await import('./oidc/check.js')).oidcDoctor;
  if (kind === 'keystone') return (await import('./keystone/check.js')).keystoneDoctor;
  return undefined;
}
