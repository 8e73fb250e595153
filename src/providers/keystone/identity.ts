// What makes one Keystone identity (cache key input). Imports only leaf modules.
import type { Identity, IdentityValue } from '../../store/cache-key.js';
import { stringFlag, type FlagValues } from '../../exec/flags.js';

function ref(id: string | undefined, name: string | undefined): IdentityValue | undefined {
  if (id) return { id };
  if (name) return { name };
  return undefined;
}

export function keystoneIdentity(values: FlagValues): Identity {
  const s = (n: string) => stringFlag(values, n);
  const userDomain = ref(s('user-domain-id') ?? s('domain-id'), s('user-domain-name') ?? s('domain-name'));
  const projectDomain = ref(s('project-domain-id') ?? s('domain-id'), s('project-domain-name') ?? s('domain-name'));
  return {
    provider: 'keystone',
    authUrl: (s('auth-url') ?? '').replace(/\/+$/, ''),
    cloud: s('os-cloud'),
    user: s('user-id') ? { id: s('user-id')! } : s('username') ? { name: s('username')!, domain: userDomain ?? { name: 'Default' } } : undefined,
    project: s('project-id')
      ? { id: s('project-id')! }
      : s('project-name')
        ? { name: s('project-name')!, domain: projectDomain ?? userDomain ?? { name: 'Default' } }
        : undefined,
    applicationCredential: ref(s('application-credential-id'), s('application-credential-name')),
  };
}
