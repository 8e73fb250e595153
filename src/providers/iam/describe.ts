// whoami / cache list for a cached IAM token, from its claims (no network).
import type { CredentialDescription } from '../types.js';
import type { CacheEntry } from '../../store/token-cache.js';
import { jwtPayload } from '../oidc/jws.js';

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

export function describeIam(entry: CacheEntry): CredentialDescription {
  const issuer = typeof entry.identity.issuer === 'string' ? entry.identity.issuer : undefined;
  const audience = typeof entry.identity.audience === 'string' ? entry.identity.audience : undefined;
  const agent = typeof entry.identity.agentAccount === 'string' ? entry.identity.agentAccount : undefined;
  let claims: Record<string, unknown> = {};
  const token = entry.credential && 'token' in entry.credential ? entry.credential.token : undefined;
  try {
    if (token) claims = jwtPayload(token);
  } catch {
    // opaque access token: the API server resolves who it is
  }
  const who = entry.label ?? (typeof claims.sub === 'string' ? claims.sub : 'someone');
  const via = agent ? `oidc-agent account ${agent}` : `client ${String(entry.identity.clientId ?? '') || 'registered by kubecred'}`;
  const fields: CredentialDescription['fields'] = [['user', who]];
  if (typeof claims.sub === 'string' && claims.sub !== who) fields.push(['subject', claims.sub]);
  if (typeof claims.email === 'string') fields.push(['email', claims.email]);
  const groups = strings(claims.groups).length ? strings(claims.groups) : strings(claims['wlcg.groups']);
  if (groups.length) fields.push(['groups', groups]);
  const aud = strings(claims.aud);
  if (aud.length) fields.push(['audience', aud]);
  fields.push(['token', entry.identity.tokenType === 'id_token' ? 'ID token' : 'access token']);
  return {
    source: issuer,
    summary: `${who} @ ${issuer ?? 'IAM'} (${via}${audience ? `, audience ${audience}` : ''})`,
    fields,
  };
}
