// What makes one IAM identity (the cache key input), for get-token, login, logout and cache reset.
// The issuer is kept exactly as given: kube-apiserver compares it byte for byte, so
// `https://iam.cloud.infn.it` and `https://iam.cloud.infn.it/` are different clusters' issuers.
import type { Identity } from '../../store/cache-key.js';
import { asSet } from '../../store/cache-key.js';
import { booleanFlag, listFlag, stringFlag, type FlagValues } from '../../exec/flags.js';
import { DEFAULT_IAM_ISSUER } from './flags.js';

export function iamIdentity(values: FlagValues): Identity {
  const agentAccount = stringFlag(values, 'oidc-agent-account');
  return {
    provider: 'iam',
    issuer: stringFlag(values, 'issuer-url') ?? DEFAULT_IAM_ISSUER,
    // Empty: a client kubecred registers (and reuses) for this issuer.
    clientId: agentAccount ? undefined : (stringFlag(values, 'client-id') ?? ''),
    agentAccount,
    audience: stringFlag(values, 'audience'),
    audienceParam: stringFlag(values, 'audience-param') ?? 'audience',
    // ID token and access token are different credentials: never share a cache entry.
    tokenType: booleanFlag(values, 'use-id-token') ? 'id_token' : 'access_token',
    scopes: asSet(listFlag(values, 'extra-scope')),
    loginHint: stringFlag(values, 'login-hint'),
  };
}
