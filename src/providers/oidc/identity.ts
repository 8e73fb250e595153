// What makes one OIDC identity: the cache key is computed from this by every command that finds a
// cache entry. Imports only leaf modules.
import type { Identity } from '../../store/cache-key.js';
import { asSet } from '../../store/cache-key.js';
import { booleanFlag, listFlag, stringFlag, type FlagValues } from '../../exec/flags.js';

export function normalizeIssuer(url: string): string {
  return url.replace(/\/+$/, '');
}

export function oidcIdentity(values: FlagValues): Identity {
  const grant = stringFlag(values, 'grant-type') ?? 'auto';
  return {
    provider: 'oidc',
    issuer: normalizeIssuer(stringFlag(values, 'issuer-url') ?? ''),
    clientId: stringFlag(values, 'client-id') ?? '',
    scopes: asSet(listFlag(values, 'extra-scope')),
    // A client-credentials token speaks for the client, any other grant for a person.
    subject: grant === 'client-credentials' ? 'client' : 'user',
    username: stringFlag(values, 'username'),
    loginHint: stringFlag(values, 'login-hint'),
    // ID token and access token are different credentials: never share a cache entry.
    tokenType: booleanFlag(values, 'use-access-token') ? 'access_token' : 'id_token',
    authParams: asSet(listFlag(values, 'auth-request-extra-param')),
  };
}
