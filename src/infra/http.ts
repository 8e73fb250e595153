// One HTTP client for everything that talks to an IdP or Keystone: HTTPS_PROXY/HTTP_PROXY/NO_PROXY
// honoured (undici's EnvHttpProxyAgent), extra CAs added to Node's default roots, TLS verified
// unless the user explicitly says otherwise, and a timeout on every request.
// The undici package costs ~100 ms to load, a third of a refresh: it is loaded only when a proxy,
// an extra CA or --insecure needs a dispatcher; otherwise Node's built-in fetch does the work.
import { readFileSync } from 'node:fs';
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
  /** Cap on every response body (default MAX_RESPONSE_BYTES). */
  maxResponseBytes?: number;
  /** The flag that turned verification off, for the warning (`--insecure`). */
  insecureFlag?: string;
  /** Where the "TLS verification is off" warning goes (text without prefix); default stderr. */
  warn?: (message: string) => void;
}

/** localhost, 127.0.0.0/8, ::1: where plain http cannot be overheard. */
export function isLoopbackHostname(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

export type FetchFunction = (url: string | URL, init?: RequestInit) => Promise<Response>;

export const DEFAULT_HTTP_TIMEOUT_MS = 30_000;

function decodeCa(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('-----BEGIN')) return trimmed;
  const decoded = Buffer.from(trimmed, 'base64').toString('utf8');
  if (!decoded.includes('-----BEGIN CERTIFICATE-----'))
    throw new KubecredError('CA data is neither PEM nor base64 of PEM: check --certificate-authority-data');
  return decoded;
}

/** The extra CAs of the options, read and checked now (a bad file is reported before any request). */
export function extraCas(options: HttpOptions): string[] {
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
  return extra;
}

/**
 * The `ca` to connect with: undefined (Node's roots) without extra CAs, else Node's roots and the
 * extra ones (setting `ca` replaces the roots). node:tls is loaded only then: a plain-http IdP on
 * this machine needs none of it.
 */
export async function caBundle(extra: readonly string[]): Promise<string[] | undefined> {
  return extra.length ? [...(await import('node:tls')).rootCertificates, ...extra] : undefined;
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
  const ca = await caBundle(extraCas(options));
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
  if (needsDispatcher(options)) extraCas(options);
  if (options.insecureSkipTlsVerify) {
    const warn = options.warn ?? ((m: string) => void process.stderr.write(`kubecred: warning: ${m}\n`));
    warn(
      `${options.insecureFlag ?? 'an insecure flag'} turns TLS verification off: anyone on the network path can read and change what is sent, credentials included`,
    );
  }
  type Client = { fetch: (url: string, init: object) => Promise<unknown>; dispatcher?: Dispatcher };
  let client: Promise<Client> | undefined;
  const load = (): Promise<Client> =>
    (client ??= needsDispatcher(options)
      ? Promise.all([import('undici'), createDispatcher(options)]).then(([undici, dispatcher]): Client => ({
          fetch: undici.fetch as Client['fetch'],
          dispatcher,
        }))
      : Promise.resolve<Client>({ fetch: globalThis.fetch as Client['fetch'] }));
  const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const maxBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  const once = async (url: string, init: RequestInit): Promise<Response> => {
    const signal = init.signal ? AbortSignal.any([init.signal, AbortSignal.timeout(timeoutMs)]) : AbortSignal.timeout(timeoutMs);
    const { fetch, dispatcher } = await load();
    try {
      return capResponse(
        (await fetch(url, { ...(init as object), signal, ...(dispatcher ? { dispatcher } : {}) })) as Response,
        url,
        maxBytes,
      );
    } catch (err) {
      if (err instanceof KubecredError) throw err; // too large: already in words
      throw new KubecredError(describeNetworkError(url, err, timeoutMs, options.caFlag));
    }
  };
  return async (url, init = {}) => {
    // An explicit redirect mode (oauth4webapi always says 'manual') is the caller's business.
    if (init.redirect !== undefined) return once(String(url), init);
    return followSameOrigin(String(url), init, once);
  };
}

/** The most a response body may hold: discovery, JWKS, token responses and Keystone's are KiBs. */
export const MAX_RESPONSE_BYTES = 1024 * 1024;
const MAX_REDIRECTS = 5;

/**
 * Follows redirects only within the origin asked for: headers such as --request-header values
 * (and anything else the caller set) must never reach another host, so a cross-origin redirect is
 * an error that names where it pointed.
 */
async function followSameOrigin(
  url: string,
  init: RequestInit,
  once: (url: string, init: RequestInit) => Promise<Response>,
): Promise<Response> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const res = await once(current, { ...init, redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status < 300 || res.status > 399 || res.status === 304 || !location) return res;
    await res.body?.cancel().catch(() => {});
    const next = new URL(location, current);
    if (next.origin !== new URL(current).origin) {
      throw new KubecredError(
        `${new URL(current).host} redirected to another origin (${next.origin}); kubecred does not follow that: use the final URL`,
      );
    }
    const method = (init.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD') return res;
    if (hop + 1 >= MAX_REDIRECTS) throw new KubecredError(`${new URL(url).host} redirected more than ${MAX_REDIRECTS} times`);
    current = next.href;
  }
}

/** Thrown from a body read that passes the cap (a KubecredError, so it reaches the user as is). */
export class ResponseTooLargeError extends KubecredError {}

/**
 * The same response with a body that errors once it passes maxBytes (a declared Content-Length
 * above it fails at once). Status, headers and url are kept, so openid-client sees a normal Response.
 */
export function capResponse(res: Response, url: string, maxBytes = MAX_RESPONSE_BYTES): Response {
  const host = new URL(url).host;
  const tooLarge = () => new ResponseTooLargeError(`${host} sent a response larger than ${Math.round(maxBytes / 1024)} KiB; refusing it`);
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > maxBytes) {
    void res.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  if (!res.body || res.status === 204 || res.status === 205 || res.status === 304) return res;
  let seen = 0;
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > maxBytes) controller.error(tooLarge());
      else controller.enqueue(chunk);
    },
  });
  const capped = new Response(res.body.pipeThrough(counter), { status: res.status, statusText: res.statusText, headers: res.headers });
  Object.defineProperty(capped, 'url', { value: res.url || url });
  Object.defineProperty(capped, 'redirected', { value: res.redirected });
  return capped;
}

/** Reads a body as text, at most maxBytes (ResponseTooLargeError beyond). */
export async function readCappedText(res: Response, url: string, maxBytes = MAX_RESPONSE_BYTES): Promise<string> {
  return capResponse(res, url, maxBytes).text();
}

export function describeNetworkError(url: string | URL, err: unknown, timeoutMs: number, caFlag?: string): string {
  const host = new URL(String(url)).host;
  const e = err as { name?: string; cause?: { code?: string; message?: string }; message?: string };
  if (e.name === 'TimeoutError' || e.name === 'AbortError')
    return `${host} did not answer within ${Math.round(timeoutMs / 1000)}s: check the URL, your network or HTTPS_PROXY`;
  const code = e.cause?.code;
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return `TLS verification of ${host} failed (${code}): its certificate is ${code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not valid yet'}; have it renewed, or check this machine's clock`;
  }
  if (code && /CERT|SELF_SIGNED|UNABLE_TO|TLS|SSL/.test(code)) {
    return `TLS verification of ${host} failed (${code}): pass the CA that signed it ${caFlag ? `with ${caFlag}` : '(see --help for the CA flag)'}`;
  }
  if (code === 'ECONNREFUSED') return `${host} refused the connection: is the URL right and the service up?`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `cannot resolve ${host}: check the URL or your DNS`;
  return `request to ${host} failed: ${e.cause?.message ?? e.message ?? String(err)}`;
}
