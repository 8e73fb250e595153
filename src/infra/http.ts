// One HTTP client for everything that talks to an IdP or Keystone: HTTPS_PROXY/HTTP_PROXY/NO_PROXY
// honoured (undici's EnvHttpProxyAgent), extra CAs added to Node's default roots, TLS verified
// unless the user explicitly says otherwise, and a timeout on every request.
// The undici package costs ~100 ms to load, a third of a refresh: it is loaded only when a proxy,
// an extra CA or --insecure needs a dispatcher; otherwise Node's built-in fetch does the work.
import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import type { Dispatcher } from 'undici';
import { KubecredError } from '../shared/errors.js';

export interface HttpOptions {
  /** PEM files of extra CAs to trust. */
  caFiles?: readonly string[];
  /** PEM text (or base64 of PEM) of extra CAs to trust. */
  caData?: readonly string[];
  insecureSkipTlsVerify?: boolean;
  /** A TLS client certificate and its key (PEM files), e.g. client-keystone-auth's --cert/--key. */
  clientCert?: { certFile: string; keyFile: string };
  /** Per request, connect to last byte. */
  timeoutMs?: number;
  env?: Record<string, string | undefined>;
  /** The flag that adds a CA (`--oidc-ca-file`), named in TLS error messages. */
  caFlag?: string;
}

export type FetchFunction = (url: string | URL, init?: RequestInit) => Promise<Response>;

export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;

function decodeCa(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) return trimmed;
  const decoded = Buffer.from(trimmed, 'base64').toString('utf8');
  if (!decoded.includes('-----BEGIN CERTIFICATE-----')) throw new KubecredError('CA data is neither PEM nor base64 of PEM: check --certificate-authority-data');
  return decoded;
}

export function loadCaBundle(options: HttpOptions): string[] | undefined {
  const extra: string[] = [];
  for (const file of options.caFiles ?? []) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new KubecredError(`cannot read CA file ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
    if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new KubecredError(`CA file ${file} holds no PEM certificate`);
    extra.push(text);
  }
  for (const data of options.caData ?? []) extra.push(decodeCa(data));
  // Setting `ca` replaces Node's roots, so keep them beside the extra ones.
  return extra.length ? [...rootCertificates, ...extra] : undefined;
}

const PROXY_VARIABLES = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy'];

/** Whether plain Node fetch would not do: a proxy to honour, CAs to add, or verification to skip. */
export function needsDispatcher(options: HttpOptions): boolean {
  const env = options.env ?? process.env;
  return (
    (options.caFiles?.length ?? 0) > 0 ||
    (options.caData?.length ?? 0) > 0 ||
    options.insecureSkipTlsVerify === true ||
    options.clientCert !== undefined ||
    PROXY_VARIABLES.some((v) => (env[v] ?? '') !== '')
  );
}

function clientCertOf(options: HttpOptions): { cert?: string; key?: string } {
  if (!options.clientCert) return {};
  const read = (file: string, what: string) => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new KubecredError(`cannot read the client ${what} ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
    }
  };
  return { cert: read(options.clientCert.certFile, 'certificate'), key: read(options.clientCert.keyFile, 'key') };
}

export async function createDispatcher(options: HttpOptions): Promise<Dispatcher> {
  const env = options.env ?? process.env;
  const ca = loadCaBundle(options);
  const { EnvHttpProxyAgent } = await import('undici');
  const connect = {
    ca,
    rejectUnauthorized: options.insecureSkipTlsVerify !== true,
    timeout: options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
    ...clientCertOf(options),
  };
  return new EnvHttpProxyAgent({
    httpProxy: env.HTTP_PROXY ?? env.http_proxy,
    httpsProxy: env.HTTPS_PROXY ?? env.https_proxy,
    noProxy: env.NO_PROXY ?? env.no_proxy,
    connect,
    requestTls: connect,
    // An https proxy may sit behind the same corporate CA; --insecure-skip-tls-verify is for the
    // target only, the proxy is always verified.
    proxyTls: { ca, timeout: connect.timeout },
  } as ConstructorParameters<typeof EnvHttpProxyAgent>[0]);
}

/**
 * A fetch bound to the dispatcher, with a timeout. Network and TLS failures become one-line
 * KubecredErrors naming the host and the cause (never the request body).
 */
export function createFetch(options: HttpOptions): FetchFunction {
  // CA files are read now, so a bad one is reported before any request is made.
  if (needsDispatcher(options)) loadCaBundle(options);
  type Client = { fetch: (url: string, init: object) => Promise<unknown>; dispatcher?: Dispatcher };
  let client: Promise<Client> | undefined;
  const load = (): Promise<Client> =>
    (client ??= needsDispatcher(options)
      ? Promise.all([import('undici'), createDispatcher(options)]).then(([undici, dispatcher]): Client => ({ fetch: undici.fetch as Client['fetch'], dispatcher }))
      : Promise.resolve<Client>({ fetch: globalThis.fetch as Client['fetch'] }));
  const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  return async (url, init = {}) => {
    const signal = init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
    const { fetch, dispatcher } = await load();
    try {
      return (await fetch(String(url), { ...(init as object), signal, ...(dispatcher ? { dispatcher } : {}) })) as Response;
    } catch (err) {
      throw new KubecredError(describeNetworkError(url, err, timeoutMs, options.caFlag));
    }
  };
}

export function describeNetworkError(url: string | URL, err: unknown, timeoutMs: number, caFlag?: string): string {
  const host = new URL(String(url)).host;
  const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `${host} did not answer within ${Math.round(timeoutMs / 1000)}s: check the URL, your network or HTTPS_PROXY`;
  const code = e.cause?.code;
  if (code && /CERT|SELF_SIGNED|UNABLE_TO|TLS|SSL/.test(code)) {
    return `TLS verification of ${host} failed (${code}): pass the CA that signed it ${caFlag ? `with ${caFlag}` : '(see --help for the CA flag)'}`;
  }
  if (code === 'ECONNREFUSED') return `${host} refused the connection: is the URL right and the service up?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve ${host}: check the URL or your DNS`;
  return `request to ${host} failed: ${e.cause?.message ?? e.message ?? String(err)}`;
}
