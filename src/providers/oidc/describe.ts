// whoami for an OIDC entry, from the cached token alone (no network): its claims are decoded, not
// verified — kubecred verified them when it got the token, and the cache is private to the user.
import type { CacheEntry } from '../../store/token-cache.js';
import type { CredentialDescription } from '../types.js';
import { identitySummary } from '../describe.js';

export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    const v = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    return v && typeof v === 'object' ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function list(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function describeOidcEntry(entry: CacheEntry): CredentialDescription {
  const issuer = typeof entry.identity.issuer === 'string' ? entry.identity.issuer : undefined;
  const clientId = typeof entry.identity.clientId === 'string' ? entry.identity.clientId : undefined;
  const token = entry.credential && 'token' in entry.credential ? entry.credential.token : undefined;
  const claims = token ? jwtClaims(token) : undefined;
  const fields: CredentialDescription['fields'] = [];
  if (issuer) fields.push(['issuer', issuer]);
  if (clientId) fields.push(['client', clientId]);
  fields.push(['token', entry.identity.tokenType === 'access_token' ? 'access token' : 'ID token']);
  if (claims) {
    if (typeof claims.sub === 'string') fields.push(['subject', claims.sub]);
    const username = claims.preferred_username ?? claims.upn ?? claims.name;
    if (typeof username === 'string') fields.push(['username', username]);
    if (typeof claims.email === 'string') fields.push(['email', claims.email + (claims.email_verified === false ? ' (not verified)' : '')]);
    const groups = list(claims.groups);
    if (groups.length) fields.push(['groups', groups]);
    const realm = (claims.realm_access as { roles?: unknown } | undefined)?.roles;
    const roles = [...new Set([...list(claims.roles), ...list(claims.iam_roles), ...list(realm)])];
    if (roles.length) fields.push(['roles', roles]);
  } else if (token) {
    fields.push(['claims', 'the token is opaque (not a JWT): ask the cluster with --server']);
  }
  return { source: issuer, summary: identitySummary(entry.identity, entry.label), fields };
}
