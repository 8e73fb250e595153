// What makes one Keystone identity (cache key input). Imports only leaf modules.
// Only what changes who the token speaks for counts: an application credential ID names user,
// project and roles by itself, so user and project flags (say, from a sourced openrc) are left out
// then; an application credential cannot be scoped, so the project is left out for one by name too.
import type { Identity, IdentityValue } from '../../store/cache-key.js';
import { stringFlag, type FlagValues } from '../../exec/flags.js';

function ref(id: string | undefined, name: string | undefined): IdentityValue | undefined {
  if (id) return { id };
  if (name) return { name };
  return undefined;
}

export function keystoneIdentity(values: FlagValues): Identity {
  const s = (n: string) => stringFlag(values, n) || undefined;
  const authUrl = (s('auth-url') ?? '').replace(/\/+$/, '');
  const cloud = s('os-cloud');
  const appCredId = s('application-credential-id');
  if (appCredId) return { provider: 'keystone', authUrl, cloud, applicationCredential: { id: appCredId } };
  const userDomain = ref(s('user-domain-id') ?? s('domain-id'), s('user-domain-name') ?? s('domain-name') ?? s('default-domain'));
  const projectDomain = ref(s('project-domain-id') ?? s('domain-id'), s('project-domain-name') ?? s('domain-name') ?? s('default-domain'));
  const appCredName = s('application-credential-name');
  return {
    provider: 'keystone',
    authUrl,
    cloud,
    user: s('user-id')
      ? { id: s('user-id')! }
      : s('username')
        ? { name: s('username')!, domain: userDomain ?? { name: 'Default' } }
        : undefined,
    project: appCredName
      ? undefined
      : s('project-id')
        ? { id: s('project-id')! }
        : s('project-name')
          ? { name: s('project-name')!, domain: projectDomain ?? userDomain ?? { name: 'Default' } }
          : undefined,
    applicationCredential: appCredName ? { name: appCredName } : undefined,
    // No project: client-keystone-auth gets a domain-scoped token from OS_DOMAIN_NAME/ID.
    domainScope: appCredName || s('project-id') || s('project-name') ? undefined : ref(s('domain-id'), s('domain-name')),
  };
}
