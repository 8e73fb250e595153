// A token endpoint response → the credential kubectl gets. The refresh token is stored first (a
// rotating IdP has already invalidated the old one), then the ID token's signature is verified
// (openid-client has checked iss, aud, exp, iat, azp and, for the code flow, nonce).
import type { ObtainedCredential, ProviderContext } from '../types.js';
import { KubecredError } from '../../shared/errors.js';
import { jwtPayload } from './jwt.js';
import type { OidcMeta } from './meta.js';
import type { OidcSettings } from './settings.js';

/** A token endpoint answer as openid-client hands it over (its helpers included); the direct refresh builds the same. */
export interface TokenResponse {
  access_token: string;
  token_type: string;
  id_token?: string;
  refresh_token?: string;
  expires_in?: number;
  scope?: string;
  /** The ID token's claims, once checked. */
  claims(): Record<string, unknown> | undefined;
  expiresIn(): number | undefined;
}

/** What the credential needs of the IdP: the signature check with the cached keys, and the metadata to keep. */
export interface IdTokenKeys {
  verifyIdTokenSignature(idToken: string): Promise<void>;
  rememberSubject(sub: string): void;
  currentMeta(): OidcMeta | undefined;
}

/** When neither expires_in nor a JWT exp says how long an access token lives. */
const FALLBACK_ACCESS_TOKEN_LIFETIME_MS = 5 * 60_000;

export interface CredentialOptions {
  /**
   * A refresh: a rotating IdP has already invalidated the old refresh token, so the new one is
   * stored before anything else can fail. A login's refresh token is stored only once its ID token
   * passed every check.
   */
  refresh?: boolean;
  /** Refresh: the new ID token must speak for the same subject as before. */
  expectSubject?: string;
  clientCredentials?: boolean;
}

function labelOf(claims: Record<string, unknown>): string | undefined {
  for (const name of ['preferred_username', 'email', 'upn', 'name', 'sub']) {
    const v = claims[name];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

function accessTokenExpiry(response: TokenResponse, nowMs: number, idTokenExp: number | undefined): number {
  const expiresIn = response.expiresIn();
  if (typeof expiresIn === 'number') return nowMs + expiresIn * 1000;
  try {
    const exp = jwtPayload(response.access_token).exp;
    if (typeof exp === 'number') return exp * 1000;
  } catch {
    // Opaque access token: fall through.
  }
  return idTokenExp ?? nowMs + FALLBACK_ACCESS_TOKEN_LIFETIME_MS;
}

function warnOnLoginHintMismatch(ctx: ProviderContext, settings: OidcSettings, claims: Record<string, unknown>): void {
  const hint = settings.loginHint?.toLowerCase();
  if (!hint) return;
  const names = ['sub', 'email', 'preferred_username', 'upn'].map((n) => claims[n]).filter((v): v is string => typeof v === 'string');
  if (names.some((n) => n.toLowerCase() === hint)) return;
  ctx.infra.log.warn(
    `you logged in as ${labelOf(claims) ?? 'someone'}, not as --login-hint ${settings.loginHint}; the token is kept for ${settings.loginHint}'s context — run kubecred logout and log in with the right account if that is wrong`,
  );
}

export async function credentialFrom(
  ctx: ProviderContext,
  settings: OidcSettings,
  idp: IdTokenKeys,
  response: TokenResponse,
  options: CredentialOptions = {},
): Promise<ObtainedCredential> {
  if (options.refresh && response.refresh_token) await ctx.secrets.set('refresh_token', response.refresh_token);
  const now = ctx.infra.clock.now();
  let claims: Record<string, unknown> | undefined;
  if (response.id_token) {
    await idp.verifyIdTokenSignature(response.id_token);
    claims = response.claims();
    const sub = claims?.sub;
    if (typeof sub === 'string') {
      if (options.expectSubject !== undefined && sub !== options.expectSubject) {
        throw new KubecredError('the refreshed ID token speaks for another subject than the one who logged in; log in again');
      }
      idp.rememberSubject(sub);
    }
    if (claims && !options.refresh) warnOnLoginHintMismatch(ctx, settings, claims);
  }
  const idTokenExp = typeof claims?.exp === 'number' ? claims.exp * 1000 : undefined;
  const label = options.clientCredentials ? `client ${settings.clientId}` : claims ? labelOf(claims) : settings.username;
  const material = pick(settings, response, now, idTokenExp, options);
  if (!options.refresh) {
    // A new login replaces the old session's refresh token (or its absence says: none now).
    if (response.refresh_token) await ctx.secrets.set('refresh_token', response.refresh_token);
    else await ctx.secrets.delete('refresh_token');
  }
  return { ...material, label, meta: idp.currentMeta() as Record<string, unknown> | undefined };
}

function pick(
  settings: OidcSettings,
  response: TokenResponse,
  now: number,
  idTokenExp: number | undefined,
  options: CredentialOptions,
): Pick<ObtainedCredential, 'material' | 'expiresAt'> {
  if (settings.useAccessToken || options.clientCredentials) {
    if (!response.access_token) throw new KubecredError('the IdP returned no access token');
    return { material: { token: response.access_token }, expiresAt: new Date(accessTokenExpiry(response, now, idTokenExp)) };
  }
  if (!response.id_token || idTokenExp === undefined) {
    throw new KubecredError(
      'the IdP returned no ID token: is the openid scope allowed for this client? (or hand kubectl the access token with --use-access-token)',
    );
  }
  return { material: { token: response.id_token }, expiresAt: new Date(idTokenExp) };
}
