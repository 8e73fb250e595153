// The common refresh without openid-client and without fetch: one form POST to the cached token
// endpoint over a bare socket (infra.http.rawRequest), the answer checked as openid-client would check
// it (id-token-claims.ts) and its signature against the cached JWKS. A refresh then loads neither
// openid-client nor Node's fetch (~35 ms together, about Node's own start-up).
//
// It takes the happy path, and `invalid_grant` (the refresh token is dead: forgotten, then a login
// if one can happen now). Whenever else it cannot be sure — no cached JWKS or endpoint, a proxy to
// honour, a network failure, another HTTP or OAuth error — it answers "not handled" before anything
// was consumed, and the openid-client engine (session.ts) refreshes as before: describing the
// error, re-reading discovery after a failure with cached metadata.
import type { ObtainedCredential, ProviderContext } from '../types.js';
import type { RawRequest, RawResponse } from '../../infra/raw-http.js';
import { LoginFailedError } from '../../shared/errors.js';
import { rememberSecret } from '../../shared/scrub.js';
import { credentialFrom, type IdTokenKeys, type TokenResponse } from './credential.js';
import { forgetRefusedRefreshToken } from './grant-choice.js';
import { checkRefreshedIdToken } from './id-token-claims.js';
import { jwksFromResponse } from './jwt.js';
import { parseMeta, type OidcMeta } from './meta.js';
import { idpHttpOptions } from './http-options.js';
import type { OidcSettings } from './settings.js';

/**
 * The credential; or why the full engine must refresh instead (nothing was consumed); or that a
 * login must follow without another refresh (the IdP refused the refresh token, or refreshed without
 * an ID token).
 */
export type DirectRefresh =
  | { handled: true; credential: ObtainedCredential }
  /** `unreachable`: no answer at all (refused, timed out, TLS): the engine goes on from there, not with the same request. */
  | { handled: false; why: string; loginNext?: boolean; unreachable?: Error };

const notHandled = (why: string): DirectRefresh => ({ handled: false, why });

/** RFC 6749 2.3.1: client_secret_basic encodes both parts as form values first. */
const formEncode = (text: string) => encodeURIComponent(text).replace(/%20/g, '+');

function clientAuthentication(settings: OidcSettings, secret: string | undefined, server: Record<string, unknown>, form: URLSearchParams) {
  const headers: Record<string, string> = {};
  if (!secret) {
    form.set('client_id', settings.clientId);
    return headers;
  }
  // The same choice as idp-client.ts: basic, unless the IdP offers only post.
  const methods = server.token_endpoint_auth_methods_supported;
  if (Array.isArray(methods) && !methods.includes('client_secret_basic') && methods.includes('client_secret_post')) {
    form.set('client_id', settings.clientId);
    form.set('client_secret', secret);
  } else {
    headers.authorization = `Basic ${Buffer.from(`${formEncode(settings.clientId)}:${formEncode(secret)}`).toString('base64')}`;
  }
  return headers;
}

/** The token endpoint's JSON, when it is a usable success answer (RFC 6749 5.1), else why not. */
function successBody(res: RawResponse): Record<string, unknown> | string {
  if (res.status !== 200) return `the token endpoint answered HTTP ${res.status}`;
  if (!/^application\/(.+\+)?json\b/i.test(res.headers['content-type'] ?? '')) return 'the token endpoint did not answer with JSON';
  let body: unknown;
  try {
    body = JSON.parse(res.body);
  } catch {
    return 'the token endpoint did not answer with JSON';
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return 'the token endpoint did not answer with a JSON object';
  return body as Record<string, unknown>;
}

/** The OAuth error code of an error answer (RFC 6749 5.2), if it is one. */
function oauthError(res: RawResponse): string | undefined {
  try {
    const error = (JSON.parse(res.body) as { error?: unknown }).error;
    return typeof error === 'string' ? error : undefined;
  } catch {
    return undefined;
  }
}

/** The answer in the shape the engine's credentialFrom takes (openid-client's response and helpers). */
function tokenResponse(body: Record<string, unknown>, claims: Record<string, unknown> | undefined): TokenResponse | string {
  const str = (name: string) => body[name] === undefined || typeof body[name] === 'string';
  if (typeof body.access_token !== 'string' || typeof body.token_type !== 'string') return 'the answer lacks access_token or token_type';
  if (!/^(bearer|dpop)$/i.test(body.token_type)) return `the answer has token_type ${JSON.stringify(body.token_type)}`;
  if (!str('refresh_token') || !str('id_token') || !str('scope')) return 'the answer has fields of the wrong type';
  const expiresIn = typeof body.expires_in === 'string' ? Number.parseFloat(body.expires_in) : body.expires_in;
  if (expiresIn !== undefined && (typeof expiresIn !== 'number' || !Number.isFinite(expiresIn))) return 'the answer has a bad expires_in';
  return {
    access_token: body.access_token,
    token_type: body.token_type.toLowerCase(),
    refresh_token: body.refresh_token as string | undefined,
    id_token: body.id_token as string | undefined,
    scope: body.scope as string | undefined,
    expires_in: expiresIn as number | undefined,
    claims: () => claims,
    expiresIn: () => expiresIn as number | undefined,
  } as TokenResponse;
}

/**
 * The cached keys, fetched again once (over the same bare client) for an ID token signed with an
 * unknown key. `verifier` is jws.ts, whose node:crypto loads while the IdP answers.
 */
function cachedKeys(
  meta: OidcMeta,
  request: RawRequest,
  headers: Record<string, string>,
  verifier: Promise<typeof import('./jws.js')>,
): IdTokenKeys {
  let current = meta;
  return {
    currentMeta: () => current,
    rememberSubject: (sub) => void (current = { ...current, sub }),
    verifyIdTokenSignature: async (idToken) =>
      (await verifier).verifyWithKeys(idToken, current.jwks, async () => {
        const uri = current.server.jwks_uri as string;
        const res = await request(uri, { method: 'GET', headers: { ...headers, accept: 'application/json, application/jwk-set+json' } });
        const jwks = await jwksFromResponse(uri, res.status, () => JSON.parse(res.body) as unknown);
        current = { ...current, jwks, jwksFetchedAt: new Date().toISOString() };
        return jwks;
      }),
  };
}

/**
 * Refreshes with the cached endpoint and keys, or says why the full engine must. `previousMeta` is
 * the cache entry's meta; the secrets are read only when everything else allows the direct path.
 */
export async function refreshDirectly(ctx: ProviderContext, settings: OidcSettings, previousMeta: unknown): Promise<DirectRefresh> {
  const meta = parseMeta(previousMeta);
  if (!meta?.jwks || typeof meta.server.jwks_uri !== 'string') return notHandled('no cached discovery metadata and keys');
  const request = ctx.infra.http.rawRequest?.(idpHttpOptions(settings, ctx.infra));
  if (!request) return notHandled('the full HTTP client is needed: a proxy, or TLS verification turned off');
  const refreshToken = await ctx.secrets.get('refresh_token');
  if (!refreshToken) return notHandled('no refresh token is stored');
  const clientSecret = settings.clientSecret ?? (await ctx.secrets.get('client_secret'));
  rememberSecret(refreshToken);
  rememberSecret(clientSecret);

  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });
  for (const [k, v] of settings.tokenParams) form.set(k, v);
  const extra = Object.fromEntries(settings.requestHeaders.map(([k, v]) => [k.toLowerCase(), v]));
  const headers = {
    ...extra,
    ...clientAuthentication(settings, clientSecret, meta.server, form),
    accept: 'application/json',
    'content-type': 'application/x-www-form-urlencoded;charset=UTF-8',
  };
  const endpoint = meta.server.token_endpoint as string;
  ctx.infra.log.debug(`refreshing with the stored refresh token at ${endpoint}`);
  let res: RawResponse;
  // node:crypto for the signature check (~5 ms) loads once the request is out, while the IdP works.
  let verifier: Promise<typeof import('./jws.js')> | undefined;
  const loadVerifier = () => (verifier ??= import('./jws.js'));
  try {
    res = await request(endpoint, { method: 'POST', headers, body: form.toString(), onSent: loadVerifier });
  } catch (err) {
    return { handled: false, why: `the token endpoint could not be reached (${(err as Error).message})`, unreachable: err as Error };
  }
  if ((res.status === 400 || res.status === 401) && oauthError(res) === 'invalid_grant') {
    // Handled here, so the engine does not send the dead token again: forget it, then log in if possible.
    await forgetRefusedRefreshToken(ctx, settings, async () => meta.server);
    return { handled: false, why: 'the IdP refused the refresh token (invalid_grant)', loginNext: true };
  }
  const body = successBody(res);
  if (typeof body === 'string') return notHandled(body);

  // From here the IdP has answered with tokens: a rotating IdP has already retired the old refresh
  // token, so nothing goes back to the engine; credentialFrom stores the new one before it checks.
  try {
    const claims =
      typeof body.id_token === 'string'
        ? checkRefreshedIdToken(body.id_token, {
            issuer: String(meta.server.issuer),
            clientId: settings.clientId,
            algorithms: meta.server.id_token_signing_alg_values_supported,
            nowMs: ctx.infra.clock.now(),
          })
        : undefined;
    const response = tokenResponse(body, claims);
    if (typeof response === 'string') throw new Error(response);
    if (!response.id_token && !settings.useAccessToken) {
      if (response.refresh_token) await ctx.secrets.set('refresh_token', response.refresh_token);
      return { handled: false, why: 'the IdP refreshed without an ID token', loginNext: true };
    }
    const keys = cachedKeys(meta, request, extra, loadVerifier());
    return { handled: true, credential: await credentialFrom(ctx, settings, keys, response, { refresh: true, expectSubject: meta.sub }) };
  } catch (err) {
    if (typeof body.refresh_token === 'string') await ctx.secrets.set('refresh_token', body.refresh_token).catch(() => undefined);
    throw new LoginFailedError(`refreshing the token: ${(err as Error).message}`, { cause: err });
  }
}
