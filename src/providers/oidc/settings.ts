// `get-token oidc` flags (+ env) → validated settings. Every problem is a UsageError (exit 2) whose
// one line says how to fix the kubeconfig.
import { UsageError } from '../../shared/errors.js';
import { booleanFlag, listFlag, parseDuration, stringFlag, type FlagValues } from '../../exec/flags.js';
import { resolveCommonOptions } from '../../exec/common-options.js';

export const GRANT_TYPES = ['auto', 'authcode', 'authcode-keyboard', 'device-code', 'password', 'client-credentials'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];

export interface ListenAddress {
  /** What to bind: a loopback address, unless the user asked for another (kubelogin's 0.0.0.0 container recipe). */
  host: string;
  port: number;
  /** Not loopback: the callback (which carries an authorization code) is reachable from the network. */
  exposed?: boolean;
}

export interface OidcSettings {
  /** As given (discovery compares it with the IdP's `issuer`); the cache key uses a normalised form. */
  issuerUrl: string;
  clientId: string;
  /** From --client-secret (kubelogin compatibility; warned about) or KUBECRED_CLIENT_SECRET. */
  clientSecret?: string;
  clientSecretFromFlag: boolean;
  /** Scopes besides `openid`, de-duplicated, in the order given. */
  extraScopes: string[];
  grantType: GrantType;
  username?: string;
  listenAddresses: ListenAddress[];
  /** Whether --listen-address was given (else a --redirect-url port decides where to listen). */
  listenAddressesGiven: boolean;
  redirectUrl?: string;
  redirectHostname: string;
  keyboardRedirectUrl: string;
  browserCommand?: string;
  skipOpenBrowser: boolean;
  authTimeoutMs: number;
  requestTimeoutMs: number;
  useAccessToken: boolean;
  authParams: Array<[string, string]>;
  /**
   * Extra parameters for every token request (code exchange, device polling, refresh). None from
   * flags; a provider built on this engine sets them (IAM: its `audience`, needed at each refresh).
   */
  tokenParams: Array<[string, string]>;
  requestHeaders: Array<[string, string]>;
  caFiles: string[];
  caData: string[];
  insecureSkipTlsVerify: boolean;
  loginHint?: string;
  pkce: boolean;
  offlineAccess: boolean;
  localServerTls?: { certFile: string; keyFile: string };
  /** The token cache directory (for one-time notices). */
  cacheDir: string;
}

export const DEFAULT_LISTEN_ADDRESSES = ['127.0.0.1:8000', '127.0.0.1:18000'];
export const DEFAULT_AUTH_TIMEOUT_MS = 180_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
export const OOB_REDIRECT = 'urn:ietf:wg:oauth:2.0:oob';

/** Parameters kubecred sets itself; letting --auth-request-extra-param override them would break the flow. */
const RESERVED_AUTH_PARAMS = new Set([
  'client_id',
  'redirect_uri',
  'response_type',
  'state',
  'nonce',
  'code_challenge',
  'code_challenge_method',
  'scope',
]);

function parseUrl(flag: string, text: string, schemes: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--${flag} ${JSON.stringify(text)} is not a URL: write it like https://idp.example.com/realms/main`);
  }
  // Said without echoing the URL: its password would land in the terminal, logs and kubeconfig.
  if (url.username || url.password)
    throw new UsageError(`--${flag} must not contain a user name or password: drop the user:password@ part`);
  if (!schemes.includes(url.protocol))
    throw new UsageError(`--${flag} must be an ${schemes.join(' or ')} URL, not ${JSON.stringify(text)}`);
  if (url.search || url.hash) throw new UsageError(`--${flag} must not carry a query or fragment: ${JSON.stringify(text)}`);
  return url;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** `127.0.0.1:8000`, `localhost:0`, `[::1]:8000`, `:8000` → a loopback bind address. */
export function parseListenAddress(text: string): ListenAddress {
  const m = /^(\[[^\]]+\]|[^:]*):(\d{1,5})$/.exec(text.trim());
  if (!m) throw new UsageError(`--listen-address takes host:port like 127.0.0.1:8000, not ${JSON.stringify(text)}`);
  const rawHost = m[1] === '' ? '127.0.0.1' : m[1]!;
  const port = Number(m[2]);
  if (port > 65535) throw new UsageError(`--listen-address ${text}: port must be 0-65535`);
  if (!isLoopbackHost(rawHost)) {
    // kubelogin's container recipe listens on 0.0.0.0: allowed, and the login warns every time.
    if (!/^(\d+\.\d+\.\d+\.\d+|\[[0-9a-fA-F:]+\])$/.test(rawHost)) {
      throw new UsageError(`--listen-address ${text}: give an IP address to bind (127.0.0.1, or 0.0.0.0 inside a container)`);
    }
    return { host: rawHost.replace(/^\[|\]$/g, ''), port, exposed: true };
  }
  const host = rawHost === 'localhost' ? '127.0.0.1' : rawHost.replace(/^\[|\]$/g, '');
  return { host, port };
}

function parsePairs(flag: string, items: string[]): Array<[string, string]> {
  return items.map((item) => {
    const eq = item.indexOf('=');
    if (eq < 1) throw new UsageError(`--${flag} takes key=value, not ${JSON.stringify(item)}`);
    return [item.slice(0, eq), item.slice(eq + 1)];
  });
}

function grantTypeOf(values: FlagValues): GrantType {
  const grant = stringFlag(values, 'grant-type') ?? 'auto';
  if (!(GRANT_TYPES as readonly string[]).includes(grant)) {
    throw new UsageError(`--grant-type takes ${GRANT_TYPES.join(', ')}, not ${JSON.stringify(grant)}`);
  }
  return grant as GrantType;
}

export function oidcSettings(values: FlagValues, env: Record<string, string | undefined>): OidcSettings {
  const issuerText = stringFlag(values, 'issuer-url');
  if (!issuerText) throw new UsageError('--issuer-url is required (also spelled --oidc-issuer-url)');
  parseUrl('issuer-url', issuerText, ['https:', 'http:']);
  const clientId = stringFlag(values, 'client-id');
  if (!clientId) throw new UsageError('--client-id is required (also spelled --oidc-client-id)');
  if (values.password !== undefined) {
    throw new UsageError(
      '--password is refused: a password must not sit in a kubeconfig or a process list; type it at the prompt or set KUBECRED_PASSWORD',
    );
  }
  const grantType = grantTypeOf(values);
  const username = stringFlag(values, 'username');
  if (grantType === 'password' && !username) throw new UsageError('--grant-type password needs --username');

  const flagSecret = stringFlag(values, 'client-secret');
  const envSecret = env.KUBECRED_CLIENT_SECRET || undefined;

  const authParams = parsePairs('auth-request-extra-param', listFlag(values, 'auth-request-extra-param'));
  for (const [k] of authParams) {
    if (RESERVED_AUTH_PARAMS.has(k))
      throw new UsageError(`--auth-request-extra-param cannot set ${k}: kubecred sets it (use --extra-scope for scopes)`);
  }

  const redirectUrl = stringFlag(values, 'redirect-url');
  if (redirectUrl !== undefined) parseUrl('redirect-url', redirectUrl, ['http:', 'https:']);
  const pkceMethod = stringFlag(values, 'pkce-method') ?? 'auto';
  if (!['auto', 'S256', 'no', 'plain'].includes(pkceMethod))
    throw new UsageError(`--pkce-method takes auto, S256 or no, not ${JSON.stringify(pkceMethod)}`);
  if (pkceMethod === 'plain') throw new UsageError('--pkce-method plain is not supported: use S256 (or auto)');

  const cert = stringFlag(values, 'local-server-cert');
  const key = stringFlag(values, 'local-server-key');
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--local-server-cert and --local-server-key go together');

  const timeoutText = stringFlag(values, 'authentication-timeout');
  const requestTimeoutText = stringFlag(values, 'request-timeout');
  const scopes = [...new Set(listFlag(values, 'extra-scope').filter((s) => s !== 'openid'))];
  return {
    issuerUrl: issuerText,
    clientId,
    clientSecret: flagSecret ?? envSecret,
    clientSecretFromFlag: flagSecret !== undefined,
    extraScopes: scopes,
    grantType,
    username,
    listenAddresses: listenAddressesOf(values).map(parseListenAddress),
    listenAddressesGiven: listenAddressesOf(values) !== DEFAULT_LISTEN_ADDRESSES,
    redirectUrl,
    redirectHostname: stringFlag(values, 'redirect-url-hostname') ?? 'localhost',
    keyboardRedirectUrl: stringFlag(values, 'redirect-url-authcode-keyboard') ?? redirectUrl ?? OOB_REDIRECT,
    browserCommand: stringFlag(values, 'browser-command') || undefined,
    skipOpenBrowser: booleanFlag(values, 'skip-open-browser'),
    authTimeoutMs:
      timeoutText === undefined
        ? DEFAULT_AUTH_TIMEOUT_MS
        : positive('authentication-timeout', parseDuration('authentication-timeout', timeoutText)),
    requestTimeoutMs:
      requestTimeoutText === undefined
        ? DEFAULT_REQUEST_TIMEOUT_MS
        : positive('request-timeout', parseDuration('request-timeout', requestTimeoutText)),
    useAccessToken: booleanFlag(values, 'use-access-token') || grantType === 'client-credentials',
    authParams,
    tokenParams: [],
    requestHeaders: parsePairs('request-header', listFlag(values, 'request-header')),
    caFiles: listFlag(values, 'oidc-ca-file'),
    caData: listFlag(values, 'oidc-ca-data'),
    insecureSkipTlsVerify: booleanFlag(values, 'oidc-insecure-skip-tls-verify'),
    loginHint: stringFlag(values, 'login-hint'),
    pkce: pkceMethod !== 'no',
    offlineAccess: !booleanFlag(values, 'no-offline-access'),
    localServerTls: cert && key ? { certFile: cert, keyFile: key } : undefined,
    cacheDir: resolveCommonOptions(values, env).cacheDir,
  };
}

/** --listen-address, plus old kubelogin's --listen-port N (= 127.0.0.1:N); else the defaults. */
function listenAddressesOf(values: FlagValues): string[] {
  const ports = listFlag(values, 'listen-port').map((p) => {
    if (!/^\d{1,5}$/.test(p)) throw new UsageError(`--listen-port takes a port number, not ${JSON.stringify(p)}`);
    return `127.0.0.1:${p}`;
  });
  const all = [...listFlag(values, 'listen-address'), ...ports];
  return all.length ? all : DEFAULT_LISTEN_ADDRESSES;
}

function positive(flag: string, ms: number): number {
  if (ms <= 0) throw new UsageError(`--${flag} must be more than zero`);
  return ms;
}

/**
 * The --redirect-url of the browser flow. It normally points at this machine; another host (a
 * container's published port, a tunnel) is allowed: the login warns that the callback travels
 * over the network.
 */
export function loopbackRedirect(text: string): URL {
  return new URL(text);
}

/** One line for the login when the callback is reachable from the network, else undefined. */
export function exposedCallbackWarning(
  settings: Pick<OidcSettings, 'listenAddresses' | 'redirectUrl'>,
  bound: ListenAddress,
): string | undefined {
  const redirectHost = settings.redirectUrl ? new URL(settings.redirectUrl).hostname : undefined;
  if (bound.exposed || !isLoopbackHost(bound.host)) {
    return `the login callback listens on ${bound.host}:${bound.port}, reachable from the network: anyone who can reach it may race you for the authorization code (use 127.0.0.1 unless you run in a container)`;
  }
  if (redirectHost && !isLoopbackHost(redirectHost)) {
    return `--redirect-url ${settings.redirectUrl} is not this machine: the authorization code travels through ${redirectHost} to reach kubecred`;
  }
  return undefined;
}
