// Authorization code flow with PKCE (S256), state and nonce: through a browser and the loopback
// server (authcode), or by pasting the code into the terminal (authcode-keyboard).
//
// The code is exchanged with genericGrantRequest rather than authorizationCodeGrant because the
// latter derives redirect_uri from the callback URL and so always adds a trailing slash
// (`http://localhost:8000/`), while kubelogin sends — and IdPs such as Cozystack's Keycloak have
// registered — `http://localhost:8000`; Keycloak compares the two byte for byte. State, the `iss`
// response parameter and the nonce are therefore checked here.
import { readFileSync } from 'node:fs';
import * as oidc from 'openid-client';
import type { ProviderContext } from '../types.js';
import { KubecredError, LoginFailedError, NeedsInteractionError } from '../../shared/errors.js';
import { startLoopbackServer } from '../../infra/loopback-server.js';
import { rememberSecret, scrubServerText } from '../../shared/scrub.js';
import type { TokenResponse } from './credential.js';
import { describeOidcError } from './errors.js';
import type { IdpClient } from './idp-client.js';
import { exposedCallbackWarning, loopbackRedirect, OOB_REDIRECT, type OidcSettings } from './settings.js';
import { loginHint } from './hints.js';

interface AuthorizationRequest {
  url: URL;
  state: string;
  nonce: string;
  verifier?: string;
  redirectUri: string;
}

async function authorizationRequest(
  config: oidc.Configuration,
  settings: OidcSettings,
  scope: string,
  redirectUri: string,
): Promise<AuthorizationRequest> {
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const params: Record<string, string> = { redirect_uri: redirectUri, scope, state, nonce, response_type: 'code' };
  // kubelogin always asks for offline access this way too (Google needs it for a refresh token).
  params.access_type = 'offline';
  if (settings.loginHint) params.login_hint = settings.loginHint;
  let verifier: string | undefined;
  if (settings.pkce) {
    verifier = oidc.randomPKCECodeVerifier();
    params.code_challenge = await oidc.calculatePKCECodeChallenge(verifier);
    params.code_challenge_method = 'S256';
  }
  for (const [k, v] of settings.authParams) params[k] = v;
  return { url: oidc.buildAuthorizationUrl(config, params), state, nonce, verifier, redirectUri };
}

/** Checks the callback parameters (error, iss, state) and exchanges the code. */
async function exchange(
  config: oidc.Configuration,
  settings: OidcSettings,
  request: AuthorizationRequest,
  params: URLSearchParams,
  options: { checkState: boolean },
): Promise<TokenResponse> {
  const server = config.serverMetadata();
  // The state first: nothing else in a callback we did not ask for deserves attention.
  if (options.checkState && params.get('state') !== request.state) {
    throw new LoginFailedError('the login callback carried a wrong state (a stale browser tab or a forged request); log in again');
  }
  const iss = params.get('iss');
  if (iss !== null && iss !== server.issuer)
    throw new LoginFailedError(
      `the login callback names issuer ${JSON.stringify(iss)}, not ${JSON.stringify(server.issuer)}; log in again`,
    );
  if (iss === null && server.authorization_response_iss_parameter_supported === true && options.checkState) {
    throw new LoginFailedError('the login callback lacks the iss parameter the IdP promises (a mix-up attack?); log in again');
  }
  const error = params.get('error');
  if (error) {
    const desc = params.get('error_description');
    throw new LoginFailedError(`the IdP refused the login: ${scrubServerText(error, 80)}${desc ? ` (${scrubServerText(desc, 160)})` : ''}`);
  }
  const code = params.get('code');
  if (!code) throw new LoginFailedError('the login callback carried no authorization code; log in again');
  rememberSecret(code);
  rememberSecret(request.verifier);
  const body: Record<string, string> = { ...Object.fromEntries(settings.tokenParams), code, redirect_uri: request.redirectUri };
  if (request.verifier) body.code_verifier = request.verifier;
  let response: TokenResponse;
  try {
    response = await oidc.genericGrantRequest(config, 'authorization_code', body);
  } catch (err) {
    throw new LoginFailedError(describeOidcError(err, 'exchanging the authorization code', settings.clientId).message, { cause: err });
  }
  if (!response.id_token) return response;
  const nonce = (response.claims() as { nonce?: unknown } | undefined)?.nonce;
  if (nonce !== request.nonce) throw new LoginFailedError('the ID token carries a wrong nonce (a replayed or forged token); log in again');
  return response;
}

function readPem(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new KubecredError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

export interface BrowserLoginOptions {
  /** Open a browser (the system one or --browser-command); false: only print the URL. */
  openBrowser: boolean;
}

export async function browserLogin(
  ctx: ProviderContext,
  settings: OidcSettings,
  idp: IdpClient,
  scope: string,
  options: BrowserLoginOptions,
): Promise<TokenResponse> {
  const config = await idp.config();
  const fixed = settings.redirectUrl ? loopbackRedirect(settings.redirectUrl) : undefined;
  const tls = settings.localServerTls
    ? {
        cert: readPem(settings.localServerTls.certFile, '--local-server-cert'),
        key: readPem(settings.localServerTls.keyFile, '--local-server-key'),
      }
    : undefined;
  // A --redirect-url with a port says where the browser will come back: listen there, unless told otherwise.
  const addresses =
    fixed?.port && !settings.listenAddressesGiven
      ? [{ host: fixed.hostname === '[::1]' ? '::1' : '127.0.0.1', port: Number(fixed.port) }]
      : settings.listenAddresses;
  // Only the callback that carries our state ends the wait (known once the request is built).
  let expectedState: string | undefined;
  const server = await startLoopbackServer({
    addresses,
    path: fixed?.pathname ?? '/',
    tls,
    accept: (params) => expectedState !== undefined && params.get('state') === expectedState,
    hosts: fixed ? [fixed.host] : [],
    hostnames: fixed ? [fixed.hostname] : [settings.redirectHostname],
  });
  const redirectUri = settings.redirectUrl ?? `${tls ? 'https' : 'http'}://${settings.redirectHostname}:${server.address.port}`;
  const { log } = ctx.infra;
  const exposed = exposedCallbackWarning(settings, {
    host: server.address.host,
    port: server.address.port,
    exposed: addresses.find((a) => a.host === server.address.host)?.exposed,
  });
  if (exposed) log.warn(exposed);
  const timeout = AbortSignal.timeout(settings.authTimeoutMs);
  try {
    const request = await authorizationRequest(config, settings, scope, redirectUri);
    expectedState = request.state;
    const issuerHost = new URL(settings.issuerUrl).host;
    if (options.openBrowser) {
      log.info(`kubecred: opening a browser to log in at ${issuerHost}; if none opens, visit:\n${request.url.href}`);
      try {
        await ctx.infra.browser.open(request.url.href, settings.browserCommand);
      } catch (err) {
        throw new LoginFailedError(`cannot open a browser (${(err as Error).message}); fix --browser-command or pass --skip-open-browser`);
      }
    } else {
      log.info(`kubecred: to log in at ${issuerHost}, open this URL in a browser on this machine:\n${request.url.href}`);
    }
    const aborted = new Promise<never>((_, reject) =>
      timeout.addEventListener('abort', () =>
        reject(
          new LoginFailedError(
            `no login completed within ${Math.round(settings.authTimeoutMs / 1000)}s; run the command again (or raise --authentication-timeout)`,
          ),
        ),
      ),
    );
    aborted.catch(() => {}); // settled by the race below, or never looked at after a success
    const params = await Promise.race([server.callback, aborted]);
    try {
      const response = await exchange(config, settings, request, params, { checkState: true });
      server.respond({ ok: true, message: `You are logged in at ${issuerHost}.` });
      return response;
    } catch (err) {
      server.respond({ ok: false, message: (err as Error).message });
      throw err;
    }
  } finally {
    await server.close();
  }
}

/** Prints the URL, reads the code (or the whole redirected URL) from the terminal. */
export async function keyboardLogin(ctx: ProviderContext, settings: OidcSettings, idp: IdpClient, scope: string): Promise<TokenResponse> {
  const { prompt, log } = ctx.infra;
  if (!ctx.interactive || !prompt.available) {
    throw new NeedsInteractionError(`--grant-type authcode-keyboard needs a terminal to paste the code into; ${loginHint(ctx)}`);
  }
  const config = await idp.config();
  const request = await authorizationRequest(config, settings, scope, settings.keyboardRedirectUrl);
  log.info(`kubecred: open this URL in a browser, log in, and paste the code it shows (or the URL it lands on):\n${request.url.href}`);
  if (settings.browserCommand) {
    await ctx.infra.browser
      .open(request.url.href, settings.browserCommand)
      .catch((err: Error) => log.warn(`cannot run --browser-command (${err.message}); open the URL yourself`));
  }
  const answer = (await prompt.line('Authorization code: ')).trim();
  if (!answer) throw new LoginFailedError('no authorization code was entered');
  let params: URLSearchParams;
  let checkState = false;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(answer) || answer.includes('code=')) {
    const query = answer.includes('?') ? answer.slice(answer.indexOf('?') + 1) : answer;
    params = new URLSearchParams(query.split('#')[0]);
    checkState = true;
  } else {
    // A bare code (the out-of-band page shows no state): PKCE and the nonce still bind it to us.
    params = new URLSearchParams({ code: answer });
  }
  if (settings.keyboardRedirectUrl !== OOB_REDIRECT && !checkState)
    log.debug('a bare code was pasted: the state cannot be checked, PKCE and nonce still are');
  return exchange(config, settings, request, params, { checkState });
}
