// OpenStack Keystone as the registry lists it: pure data and the identity function (usable without
// loading the provider), plus the loader of the provider's code.
import type { ProviderModule } from '../types.js';
import { keystoneGetTokenFlags } from './flags.js';
import { keystoneIdentity } from './identity.js';

export const keystoneModule: ProviderModule = {
  kind: 'keystone',
  source: 'OpenStack Keystone',
  setupDescription: 'set up a context that logs in to OpenStack Keystone (password, TOTP or application credential)',
  getTokenFlags: keystoneGetTokenFlags,
  identity: keystoneIdentity,
  setupFlags: [
    {
      name: 'password-stdin',
      type: 'boolean',
      secretFromStdin: 'Keystone password: ',
      description: 'read the password (or an application credential secret) from stdin instead of asking on the terminal',
    },
    {
      name: 'create-application-credential',
      type: 'boolean',
      description: 'recommended: create application credential kubecred-<context> and keep only its secret',
    },
    { name: 'remember-password', type: 'boolean', description: 'keep the password in the secret store (keyring, else a 0600 file)' },
  ],
  secretNames: { session: ['password'], config: ['application_credential_secret'] },
  load: async () => (await import('./provider.js')).provider,
};
