// Which flow logs a person in. `--grant-type auto` (the default) decides, in this order:
//   1. --username given                    → password (the IdP must allow ROPC, as MOSK's Keycloak does)
//   2. --skip-open-browser                 → authcode, printing the URL (the loopback server still listens)
//   3. --browser-command given             → authcode, opening the URL with that command
//   4. a browser can be opened here        → authcode with the system browser
//      (macOS, Windows, WSL, $BROWSER, or a Linux desktop: $DISPLAY / $WAYLAND_DISPLAY)
//   5. the IdP offers the device flow      → device-code (SSH sessions, containers)
//   6. otherwise                           → authcode, printing the URL
// auto never picks client-credentials (a client secret is just as common for browser logins, e.g.
// Google or Dex with kubelogin) nor authcode-keyboard (IdPs rarely allow the out-of-band redirect).
import { existsSync, readFileSync } from 'node:fs';
import type { ProviderContext } from '../types.js';
import { LoginFailedError } from '../../shared/errors.js';
import type { OidcSettings } from './settings.js';
import { loginHint } from './hints.js';

/** The IdP's discovery metadata, fetched or cached (only device_authorization_endpoint is read here). */
export type ServerMetadata = () => Promise<Record<string, unknown>>;

export type Flow =
  | { grant: 'authcode'; openBrowser: boolean }
  | { grant: 'authcode-keyboard' }
  | { grant: 'device-code' }
  | { grant: 'password' }
  | { grant: 'client-credentials' };

export function systemBrowserAvailable(env: Record<string, string | undefined>, platform: NodeJS.Platform = process.platform): boolean {
  if (platform === 'darwin' || platform === 'win32') return true;
  if (env.BROWSER || env.DISPLAY || env.WAYLAND_DISPLAY || env.WSL_DISTRO_NAME) return true;
  try {
    return existsSync('/proc/version') && /microsoft/i.test(readFileSync('/proc/version', 'utf8'));
  } catch {
    return false;
  }
}

export async function chooseFlow(
  ctx: ProviderContext,
  settings: OidcSettings,
  server: ServerMetadata,
): Promise<{ flow: Flow; why: string }> {
  switch (settings.grantType) {
    case 'authcode':
      return { flow: { grant: 'authcode', openBrowser: !settings.skipOpenBrowser }, why: '--grant-type authcode' };
    case 'authcode-keyboard':
    case 'device-code':
    case 'password':
    case 'client-credentials':
      return { flow: { grant: settings.grantType }, why: `--grant-type ${settings.grantType}` };
  }
  if (settings.username) return { flow: { grant: 'password' }, why: '--username is set' };
  if (settings.skipOpenBrowser) return { flow: { grant: 'authcode', openBrowser: false }, why: '--skip-open-browser' };
  if (settings.browserCommand) return { flow: { grant: 'authcode', openBrowser: true }, why: '--browser-command is set' };
  if (systemBrowserAvailable(ctx.infra.env)) return { flow: { grant: 'authcode', openBrowser: true }, why: 'a browser can be opened' };
  if ((await server()).device_authorization_endpoint)
    return { flow: { grant: 'device-code' }, why: 'no browser here and the IdP offers the device flow' };
  return { flow: { grant: 'authcode', openBrowser: false }, why: 'no browser here and no device flow at the IdP' };
}

/** Whether a login can happen in this process without a terminal we may not read. */
export function canLogInNow(ctx: ProviderContext, flow: Flow): boolean {
  switch (flow.grant) {
    case 'authcode':
    case 'device-code':
    case 'client-credentials':
      return true;
    case 'password':
      return Boolean(ctx.infra.env.KUBECRED_PASSWORD) || (ctx.interactive && ctx.infra.prompt.available);
    case 'authcode-keyboard':
      return ctx.interactive && ctx.infra.prompt.available;
  }
}

/**
 * The IdP refused the refresh token (`invalid_grant`: expired or revoked). It is forgotten; then
 * either a login can happen now (the caller logs in, without refreshing again) or a one-line
 * LoginFailedError says what to do. Shared by the direct refresh and the openid-client engine.
 */
export async function forgetRefusedRefreshToken(ctx: ProviderContext, settings: OidcSettings, server: ServerMetadata): Promise<void> {
  await ctx.secrets.delete('refresh_token');
  const { flow } = await chooseFlow(ctx, settings, server);
  if (!canLogInNow(ctx, flow)) {
    throw new LoginFailedError(`the IdP no longer accepts the refresh token (expired or revoked); ${loginHint(ctx)}`);
  }
  ctx.infra.log.info('kubecred: the refresh token is no longer valid (expired or revoked); logging in again');
}
