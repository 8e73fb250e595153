// What kubecred keeps of the IdP in the cache entry (never a secret): the discovery fields it uses
// and the JWKS, so that a refresh costs exactly one request. No openid-client here: the direct
// refresh (refresh-direct.ts) reads it too.
import { isJwkSet, type JwkSet } from './jwt.js';

/** What kubecred keeps with the token (never a secret). */
export interface OidcMeta {
  v: 1;
  server: Record<string, unknown>;
  discoveredAt: string;
  jwks?: JwkSet;
  jwksFetchedAt?: string;
  /** Subject of the last ID token: a refreshed ID token must speak for the same person. */
  sub?: string;
}

/** The discovery fields kubecred uses; the rest of a (often large) document is not cached. */
const KEPT_FIELDS = [
  'issuer',
  'authorization_endpoint',
  'token_endpoint',
  'device_authorization_endpoint',
  'revocation_endpoint',
  'jwks_uri',
  'userinfo_endpoint',
  'end_session_endpoint',
  'scopes_supported',
  'code_challenge_methods_supported',
  'id_token_signing_alg_values_supported',
  'token_endpoint_auth_methods_supported',
  'grant_types_supported',
  'revocation_endpoint_auth_methods_supported',
  'authorization_response_iss_parameter_supported',
];

export function parseMeta(value: unknown): OidcMeta | undefined {
  const m = value as Partial<OidcMeta> | undefined;
  if (!m || m.v !== 1 || typeof m.server !== 'object' || m.server === null) return undefined;
  if (typeof m.server.issuer !== 'string' || typeof m.server.token_endpoint !== 'string') return undefined;
  return { ...m, jwks: isJwkSet(m.jwks) ? m.jwks : undefined } as OidcMeta;
}

export function trimServer(server: object): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const field of KEPT_FIELDS)
    if ((server as Record<string, unknown>)[field] !== undefined) kept[field] = (server as Record<string, unknown>)[field];
  return kept;
}
