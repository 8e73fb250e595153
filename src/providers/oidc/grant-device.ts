// Device authorization grant (RFC 8628): show the verification URL and user code on stderr (plus a
// QR code on a terminal), then poll. openid-client honours `interval`, `slow_down` (+5 s) and a
// missing interval (INDIGO IAM sends none) as 5 s.
import * as oidc from 'openid-client';
import type { ProviderContext } from '../types.js';
import { LoginFailedError } from '../../shared/errors.js';
import { terminalQrCode } from '../../infra/qr.js';
import type { TokenResponse } from './credential.js';
import { describeOidcError, OAuthRefusal } from './errors.js';
import type { IdpClient } from './idp-client.js';
import type { OidcSettings } from './settings.js';

function tokenParams(settings: OidcSettings): Record<string, string> | undefined {
  return settings.tokenParams.length ? Object.fromEntries(settings.tokenParams) : undefined;
}

export async function deviceLogin(ctx: ProviderContext, settings: OidcSettings, idp: IdpClient, scope: string): Promise<TokenResponse> {
  const config = await idp.config();
  const { log } = ctx.infra;
  if (!config.serverMetadata().device_authorization_endpoint) {
    throw new LoginFailedError(
      `the IdP ${settings.issuerUrl} offers no device code flow; choose another --grant-type (authcode, authcode-keyboard)`,
    );
  }
  const params: Record<string, string> = { scope };
  if (settings.loginHint) params.login_hint = settings.loginHint;
  for (const [k, v] of settings.authParams) params[k] = v;
  let authorization: oidc.DeviceAuthorizationResponse;
  try {
    authorization = await oidc.initiateDeviceAuthorization(config, params);
  } catch (err) {
    throw new LoginFailedError(describeOidcError(err, 'starting the device login', settings.clientId).message, { cause: err });
  }
  const complete = authorization.verification_uri_complete;
  log.info(
    `kubecred: to log in at ${new URL(settings.issuerUrl).host}, visit ${authorization.verification_uri} and enter the code ${authorization.user_code}` +
      (complete ? `\n  or open ${complete}` : ''),
  );
  if (ctx.infra.stderrIsTTY) {
    const qr = await terminalQrCode(complete ?? authorization.verification_uri);
    if (qr) log.info(qr);
  }
  if (settings.browserCommand) {
    // Someone asked for a browser: open the page for them (with the code filled in when possible).
    await ctx.infra.browser.open(complete ?? authorization.verification_uri, settings.browserCommand).catch((err: Error) => {
      log.warn(`cannot run --browser-command (${err.message}); open the URL yourself`);
    });
  }
  const waitMs = Math.min(settings.authTimeoutMs, authorization.expires_in * 1000);
  try {
    return await oidc.pollDeviceAuthorizationGrant(config, authorization, tokenParams(settings), { signal: AbortSignal.timeout(waitMs) });
  } catch (err) {
    const name = (err as { cause?: { name?: string } }).cause?.name ?? (err as Error).name;
    if (name === 'TimeoutError' || (err as { code?: string }).code === 'OAUTH_TIMEOUT') {
      // The code's own lifetime ran out first: say so (the user may have been about to type it).
      const expired = authorization.expires_in * 1000 <= settings.authTimeoutMs;
      throw new LoginFailedError(
        expired
          ? `the device code expired after ${Math.round(waitMs / 1000)}s before the login completed; run the command again for a new code`
          : `no device login completed within ${Math.round(waitMs / 1000)}s; run the command again`,
      );
    }
    const described = describeOidcError(err, 'device login', settings.clientId);
    if (described instanceof OAuthRefusal && described.code === 'expired_token') {
      throw new LoginFailedError('the device code expired before the login completed; run the command again');
    }
    if (described instanceof OAuthRefusal && described.code === 'access_denied') {
      throw new LoginFailedError('the device login was denied at the IdP; run the command again and confirm the code to retry');
    }
    throw new LoginFailedError(described.message, { cause: err });
  }
}
