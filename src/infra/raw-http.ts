// A bare HTTP(S) request, for the one request of a refresh: Node's fetch (its built-in undici, with
// Response and the web streams) costs ~35 ms to load, as much as Node's own start, and node:http
// ~8 ms more than the socket it runs on, so this speaks HTTP/1.1 over node:net/node:tls itself
// (http1-exchange.ts). It covers the direct case only — system roots plus any extra CAs, a
// timeout, the response cap — and says "not for these options" (undefined) when a proxy, a client certificate
// or turned-off verification needs the full client of http.ts.
import { KubecredError } from '../shared/errors.js';
import { scrubServerText } from '../shared/scrub.js';
import { http1Exchange } from './http1-exchange.js';
import { MalformedResponseError, ResponseTooLargeError, type Http1Response } from './http1-response.js';
import {
  caBundle,
  DEFAULT_HTTP_TIMEOUT_MS,
  describeNetworkError,
  extraCas,
  MAX_RESPONSE_BYTES,
  needsDispatcher,
  type HttpOptions,
} from './http.js';

export type RawResponse = Http1Response;

export interface RawRequestInit {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Called once the request is handed to the OS: work that can overlap the server's can start then. */
  onSent?: () => void;
}

/** One request, no redirects followed (a 3xx is returned as it is). Network failures are KubecredErrors naming the host. */
export type RawRequest = (url: string, init: RawRequestInit) => Promise<RawResponse>;

/** Whether the options only add CAs: those are handed to node:tls; anything else needs http.ts. */
function direct(options: HttpOptions): boolean {
  const onlyCas = { ...options, caFiles: undefined, caData: undefined };
  return !needsDispatcher(onlyCas);
}

export function createRawRequest(options: HttpOptions): RawRequest | undefined {
  if (!direct(options)) return undefined;
  const extra = extraCas(options);
  const timeoutMs = options.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS;
  const maxBytes = options.maxResponseBytes ?? MAX_RESPONSE_BYTES;
  return async (url, init) => {
    const target = new URL(url);
    const ca = target.protocol === 'https:' ? await caBundle(extra) : undefined;
    try {
      return await http1Exchange(target, { ...init, ca, maxBytes, timeoutMs });
    } catch (err) {
      if (err instanceof ResponseTooLargeError)
        throw new KubecredError(`${target.host} sent a response larger than ${Math.round(maxBytes / 1024)} KiB; refusing it`);
      if (err instanceof MalformedResponseError)
        // The message quotes a little of what the server sent, which may echo what we sent.
        throw new KubecredError(`${target.host} sent ${scrubServerText(err.message)}: is the URL that of the service?`);
      throw new KubecredError(networkError(url, err, timeoutMs, options));
    }
  };
}

/** The same one-line wording as fetch failures (http.ts), which carry Node's error as their cause. */
function networkError(url: string, err: unknown, timeoutMs: number, options: HttpOptions): string {
  const e = err as Error & { code?: string };
  const shaped = e.name === 'TimeoutError' ? e : { name: e.name, message: e.message, cause: { code: e.code, message: e.message } };
  return describeNetworkError(url, shaped, timeoutMs, options.caFlag);
}
