// INDIGO IAM in the registry: pure data and functions (the flag table and the identity); the
// provider itself is loaded only by a command that talks to IAM.
import type { ProviderModule } from '../types.js';
import { iamGetTokenFlags, KNOWN_IAM_ISSUERS } from './flags.js';
import { iamIdentity } from './identity.js';

export const iamModule: ProviderModule = {
  kind: 'iam',
  source: 'INDIGO IAM',
  setupDescription: `set up a context that logs in at INDIGO IAM (${KNOWN_IAM_ISSUERS.join(', ')}): registers a client, device code login, audience`,
  getTokenFlags: iamGetTokenFlags,
  identity: iamIdentity,
  setupFlags: [
    {
      name: 'client-secret-stdin',
      type: 'boolean',
      secretFromStdin: 'Client secret: ',
      description: '--client-id is a confidential client: read its secret from stdin into the secret store',
    },
    { name: 'no-login', type: 'boolean', description: 'write the context without logging in now (the first kubectl command logs in)' },
  ],
  // The issuer's client registration lives in the store shared by its contexts, not under an identity.
  secretNames: { session: ['refresh_token'], config: ['client_secret'] },
  load: async () => (await import('./provider.js')).provider,
};
