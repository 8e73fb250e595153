// whoami / cache list for a cached IAM token, from its claims (no network).
import type { CredentialDescription } from '../types.js';
import type { CacheEntry } from '../../store/token-cache.js';
import { identitySummary } from '../describe.js';
import { claimFields } from '../oidc/setup.js';
import { jwtPayload } from '../oidc/jwt.js';

export function describeIam(entry: CacheEntry): CredentialDescription {
  const { identity } = entry;
  const token = entry.credential && 'token' in entry.credential ? entry.credential.token : undefined;
  const fields = token ? claimFields(token) : [];
  let aud: unknown;
  try {
    aud = token ? jwtPayload(token).aud : undefined;
  } catch {
    aud = undefined;
  }
  if (typeof aud === 'string' || Array.isArray(aud)) fields.push(['audience', aud as string | string[]]);
  fields.push(['token', identity.tokenType === 'id_token' ? 'ID token' : 'access token']);
  const via = typeof identity.agentAccount === 'string' ? ` via oidc-agent account ${identity.agentAccount}` : '';
  const audience = typeof identity.audience === 'string' ? ` audience ${identity.audience}` : '';
  return {
    source: typeof identity.issuer === 'string' ? identity.issuer : undefined,
    summary: `${identitySummary(identity, entry.label)}${audience}${via}`,
    fields,
  };
}
