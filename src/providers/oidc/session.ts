// The OIDC engine with openid-client, loaded by provider.ts when the direct refresh cannot do: the
// refresh it leaves over (classifying `invalid_grant`, re-reading stale discovery), the logins with
// the chosen flow, and logout's revocation.
import * as oidc from 'openid-client';
import type { ObtainedCredential, ObtainMode, ProviderContext } from '../types.js';
import type { CacheEntry } from '../../store/token-cache.js';
import { KubecredError, LoginFailedError } from '../../shared/errors.js';
import type { OidcSettings } from './settings.js';
import { IdpClient } from './idp-client.js';
import { parseMeta } from './meta.js';
import { credentialFrom, type TokenResponse } from './credential.js';
import { describeOidcError, IdpUnreachable, OAuthRefusal } from './errors.js';
import { chooseFlow, forgetRefusedRefreshToken } from './grant-choice.js';
import { browserLogin, keyboardLogin } from './grant-authcode.js';
import { deviceLogin } from './grant-device.js';
import { clientCredentialsLogin, passwordLogin, refreshGrant } from './grant-direct.js';

/** openid + the extra scopes + offline_access when the IdP advertises it (else no refresh token from Okta, Dex, Keycloak). */
async function scopeFor(settings: OidcSettings, idp: IdpClient): Promise<string> {
  const scopes = ['openid', ...settings.extraScopes];
  const supported = (await idp.config()).serverMetadata().scopes_supported;
  if (settings.offlineAccess && !scopes.includes('offline_access') && Array.isArray(supported) && supported.includes('offline_access')) {
    scopes.push('offline_access');
  }
  return scopes.join(' ');
}

async function logIn(
  ctx: ProviderContext,
  settings: OidcSettings,
  idp: IdpClient,
  clientSecret: string | undefined,
): Promise<ObtainedCredential> {
  const { flow, why } = await chooseFlow(ctx, settings, () => idp.serverMetadata());
  ctx.infra.log.debug(`logging in with ${flow.grant} (${why})`);
  if (flow.grant === 'client-credentials') {
    return credentialFrom(ctx, settings, idp, await clientCredentialsLogin(settings, idp, clientSecret), { clientCredentials: true });
  }
  const scope = await scopeFor(settings, idp);
  let response: TokenResponse;
  switch (flow.grant) {
    case 'authcode':
      response = await browserLogin(ctx, settings, idp, scope, { openBrowser: flow.openBrowser });
      break;
    case 'authcode-keyboard':
      response = await keyboardLogin(ctx, settings, idp, scope);
      break;
    case 'device-code':
      response = await deviceLogin(ctx, settings, idp, scope);
      break;
    case 'password':
      response = await passwordLogin(ctx, settings, idp, scope);
      break;
  }
  try {
    return await credentialFrom(ctx, settings, idp, response);
  } catch (err) {
    // A login whose token we refuse (bad signature, no ID token) failed: let the others fail fast.
    throw err instanceof LoginFailedError ? err : new LoginFailedError((err as Error).message, { cause: err });
  }
}

/**
 * Refreshes with the stored refresh token: exactly one request to the token endpoint when the
 * cached metadata is good. Returns undefined when the refresh token is dead and a login may follow.
 */
async function refresh(
  ctx: ProviderContext,
  settings: OidcSettings,
  idp: IdpClient,
  refreshToken: string,
  subject: string | undefined,
  unreachable: Error | undefined,
): Promise<ObtainedCredential | undefined> {
  const { log } = ctx.infra;
  let response: TokenResponse;
  try {
    // The direct refresh could not reach the cached endpoint: that was the first attempt.
    const first = unreachable
      ? Promise.reject(new IdpUnreachable(`refreshing the token: ${unreachable.message}`))
      : refreshGrant(idp, settings, refreshToken);
    try {
      response = await first;
    } catch (err) {
      // Stale cached metadata (the IdP moved its endpoints) looks like an unreachable IdP: look again.
      if (!(err instanceof IdpUnreachable) || !idp.usedCachedMetadata) throw err;
      log.debug(`refresh failed with cached discovery metadata (${err.message}); fetching discovery again`);
      if (!(await idp.discover())) throw err;
      response = await refreshGrant(idp, settings, refreshToken);
    }
  } catch (err) {
    if (err instanceof OAuthRefusal && err.code === 'invalid_grant') {
      await forgetRefusedRefreshToken(ctx, settings, () => idp.serverMetadata());
      return undefined;
    }
    throw new LoginFailedError((err as Error).message, { cause: err });
  }
  if (!response.id_token && !settings.useAccessToken) {
    log.debug('the IdP refreshed without an ID token; logging in again');
    return undefined;
  }
  try {
    return await credentialFrom(ctx, settings, idp, response, { refresh: true, expectSubject: subject });
  } catch (err) {
    throw new LoginFailedError((err as Error).message, { cause: err });
  }
}

export interface EngineOptions {
  /** False when the direct refresh already spent the refresh token (the IdP answered without an ID token): log in. */
  refresh: boolean;
  /** The direct refresh could not reach the cached token endpoint (no answer at all): not tried again as it is. */
  unreachable?: Error;
}

export async function obtain(
  ctx: ProviderContext,
  settings: OidcSettings,
  previous: CacheEntry | undefined,
  mode: ObtainMode,
  options: EngineOptions,
): Promise<ObtainedCredential> {
  const { log } = ctx.infra;
  const clientSecret = settings.clientSecret ?? (await ctx.secrets.get('client_secret'));
  // `kubecred login` also re-reads discovery: it is what people run when something looks wrong.
  const meta = mode === 'login' ? undefined : parseMeta(previous?.meta);
  const idp = new IdpClient(settings, clientSecret, ctx.infra, meta);
  if (mode === 'auto' && options.refresh && settings.grantType !== 'client-credentials') {
    const refreshToken = await ctx.secrets.get('refresh_token');
    if (refreshToken) {
      log.debug('refreshing with the stored refresh token');
      const refreshed = await refresh(ctx, settings, idp, refreshToken, meta?.sub, options.unreachable);
      if (refreshed) return refreshed;
    }
  }
  return logIn(ctx, settings, idp, clientSecret);
}

export async function logout(ctx: ProviderContext, settings: OidcSettings, previous: CacheEntry | undefined): Promise<string[]> {
  const refreshToken = await ctx.secrets.get('refresh_token');
  if (!refreshToken) return [];
  const host = new URL(settings.issuerUrl).host;
  const clientSecret = settings.clientSecret ?? (await ctx.secrets.get('client_secret'));
  try {
    const idp = new IdpClient(settings, clientSecret, ctx.infra, parseMeta(previous?.meta));
    let config = await idp.config();
    if (!config.serverMetadata().revocation_endpoint && idp.usedCachedMetadata) {
      await idp.discover();
      config = await idp.config();
    }
    if (!config.serverMetadata().revocation_endpoint) {
      return [`${host} offers no token revocation: the refresh token stays valid there until it expires (kubecred forgets it now)`];
    }
    await oidc.tokenRevocation(config, refreshToken, { token_type_hint: 'refresh_token' });
    return [`revoked the refresh token at ${host}`];
  } catch (err) {
    // Logging out locally must work even when the IdP cannot be reached.
    const why =
      err instanceof KubecredError ? err.message : describeOidcError(err, 'revoking the refresh token', settings.clientId).message;
    return [`could not revoke the refresh token at ${host} (${why}); kubecred forgets it anyway`];
  }
}
