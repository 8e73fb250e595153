// A bare HTTP(S) request over node:http/node:https, for the one request of a refresh: Node's fetch
// (its built-in undici, with Response and the web streams) costs ~35 ms to load, as much as Node's
// own start. It covers the direct case only — system roots plus any extra CAs, a timeout, the
// response cap — and says "not for these options" (undefined) when a proxy, a client certificate
// or turned-off verification needs the full client of http.ts.
import { KubecredError } from '../shared/errors.js';
import { readCappedBody } from './capped-body.js';
import {
  caBundle,
  DEFAULT_HTTP_TIMEOUT_MS,
  describeNetworkError,
  extraCas,
  MAX_RESPONSE_BYTES,
  needsDispatcher,
  type HttpOptions,
} from './http.js';

export interface RawResponse {
  status: number;
  /** Lower-case names; a repeated header is joined with ", ". */
  headers: Record<string, string | undefined>;
  body: string;
}

export interface RawRequestInit {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** Called once the request is handed to the OS: work that can overlap the server's can start then. */
  onSent?: () => void;
}

/** One request, no redirects followed (a 3xx is returned as it is). Network failures are KubecredErrors naming the host. */
export type RawRequest = (url: string, init: RawRequestInit) => Promise<RawResponse>;

/** Whether the options only add CAs: those are handed to node:https; anything else needs http.ts. */
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
    const secure = target.protocol === 'https:';
    // Loaded per scheme: node:https brings node:tls (~5 ms), which plain http on this machine does not need.
    const transport = secure ? await import('node:https') : await import('node:http');
    const ca = secure ? await caBundle(extra) : undefined;
    return new Promise<RawResponse>((resolve, reject) => {
      const host = target.host;
      let timer: NodeJS.Timeout | undefined;
      const fail = (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof KubecredError ? err : new KubecredError(networkError(url, err, timeoutMs, options)));
      };
      const req = transport.request(
        target,
        {
          method: init.method,
          headers: init.body === undefined ? init.headers : { ...init.headers, 'content-length': String(Buffer.byteLength(init.body)) },
          ...(ca ? { ca } : {}),
        },
        (res) =>
          readCappedBody(res, maxBytes, {
            tooLarge: () => fail(new KubecredError(`${host} sent a response larger than ${Math.round(maxBytes / 1024)} KiB; refusing it`)),
            error: fail,
            done: (body) => {
              clearTimeout(timer);
              const headers: Record<string, string | undefined> = {};
              for (const [name, value] of Object.entries(res.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
              resolve({ status: res.statusCode ?? 0, headers, body });
            },
          }),
      );
      // Connect to last byte, as fetch's AbortSignal.timeout in http.ts.
      timer = setTimeout(() => req.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })), timeoutMs);
      req.on('error', fail);
      if (init.onSent) req.on('finish', init.onSent);
      req.end(init.body);
    });
  };
}

/** The same one-line wording as fetch failures (http.ts), which carry Node's error as their cause. */
function networkError(url: string, err: unknown, timeoutMs: number, options: HttpOptions): string {
  const e = err as Error & { code?: string };
  const shaped = e.name === 'TimeoutError' ? e : { name: e.name, message: e.message, cause: { code: e.code, message: e.message } };
  return describeNetworkError(url, shaped, timeoutMs, options.caFlag);
}
