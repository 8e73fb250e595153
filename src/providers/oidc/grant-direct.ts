// Grants without a browser: refresh, password (ROPC, as MOSK's Keycloak API docs use it) and
// client credentials.
import * as oidc from 'openid-client';
import type { ProviderContext } from '../types.js';
import { KubecredError, LoginFailedError, NeedsInteractionError } from '../../shared/errors.js';
import type { TokenResponse } from './credential.js';
import { describeOidcError } from './errors.js';
import type { IdpClient } from './idp-client.js';
import type { OidcSettings } from './settings.js';
import { loginHint } from './hints.js';
import { rememberSecret } from '../../shared/scrub.js';

/** One request to the token endpoint; errors are described but not yet classified. */
export async function refreshGrant(idp: IdpClient, settings: OidcSettings, refreshToken: string): Promise<TokenResponse> {
  const config = await idp.config();
  rememberSecret(refreshToken);
  try {
    return await oidc.refreshTokenGrant(
      config,
      refreshToken,
      settings.tokenParams.length ? Object.fromEntries(settings.tokenParams) : undefined,
    );
  } catch (err) {
    throw describeOidcError(err, 'refreshing the token', settings.clientId);
  }
}

async function passwordOf(ctx: ProviderContext, settings: OidcSettings): Promise<string> {
  const fromEnv = ctx.infra.env.KUBECRED_PASSWORD;
  if (fromEnv) return fromEnv;
  // convert-kubeconfig moves kubelogin's --password= here.
  const stored = await ctx.secrets.get('password');
  if (stored) return stored;
  const { prompt } = ctx.infra;
  if (!ctx.interactive || !prompt.available) {
    throw new NeedsInteractionError(
      `the password grant needs ${settings.username}'s password: set KUBECRED_PASSWORD, or ${loginHint(ctx)}`,
    );
  }
  const password = await prompt.secret(`Password for ${settings.username} at ${new URL(settings.issuerUrl).host}: `);
  if (!password) throw new LoginFailedError('no password was entered');
  return password;
}

export async function passwordLogin(ctx: ProviderContext, settings: OidcSettings, idp: IdpClient, scope: string): Promise<TokenResponse> {
  const password = await passwordOf(ctx, settings);
  rememberSecret(password);
  const config = await idp.config();
  const params: Record<string, string> = { username: settings.username!, password, scope };
  for (const [k, v] of settings.authParams) params[k] = v;
  try {
    return await oidc.genericGrantRequest(config, 'password', params);
  } catch (err) {
    const described = describeOidcError(err, `logging in as ${settings.username}`, settings.clientId);
    throw new LoginFailedError(described.message, { cause: err });
  }
}

export async function clientCredentialsLogin(
  settings: OidcSettings,
  idp: IdpClient,
  clientSecret: string | undefined,
): Promise<TokenResponse> {
  if (!clientSecret) {
    throw new KubecredError(
      'the client-credentials grant needs the client secret: store it with kubecred setup-context oidc --client-secret-stdin, or set KUBECRED_CLIENT_SECRET',
    );
  }
  const config = await idp.config();
  const params: Record<string, string> = {};
  if (settings.extraScopes.length) params.scope = settings.extraScopes.join(' ');
  for (const [k, v] of settings.authParams) params[k] = v;
  try {
    return await oidc.clientCredentialsGrant(config, params);
  } catch (err) {
    throw new LoginFailedError(describeOidcError(err, `getting a token for client ${settings.clientId}`, settings.clientId).message, {
      cause: err,
    });
  }
}
