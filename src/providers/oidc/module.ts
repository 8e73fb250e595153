// The OIDC provider as the registry lists it: pure data and the identity function (usable without
// loading the provider), plus the loader of the provider's code.
import type { ProviderModule } from '../types.js';
import { oidcGetTokenFlags } from './flags.js';
import { oidcIdentity } from './identity.js';

export const oidcModule: ProviderModule = {
  kind: 'oidc',
  source: 'an OIDC provider',
  setupDescription: 'set up a context that logs in with OpenID Connect (Keycloak, Dex, Okta, Entra ID, Google, …)',
  getTokenFlags: oidcGetTokenFlags,
  identity: oidcIdentity,
  setupFlags: [
    {
      name: 'client-secret-stdin',
      type: 'boolean',
      secretFromStdin: 'Client secret: ',
      description: 'the client is confidential: read its secret from stdin (asked with echo off on a terminal) into the secret store',
    },
  ],
  secretNames: { session: ['refresh_token'], config: ['client_secret'] },
  load: async () => (await import('./provider.js')).provider,
};
