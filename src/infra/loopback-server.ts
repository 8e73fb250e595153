// The loopback HTTP server that receives the browser's redirect after an OAuth login. It binds a
// loopback address only (the callback carries an authorization code), takes the first free port of
// a list, answers exactly one callback — after the caller has finished with it, so the browser tab
// shows the real outcome — and then closes. Every value echoed into HTML is escaped.
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { KubecredError } from '../shared/errors.js';

export interface BindAddress {
  host: string;
  port: number;
}

export interface CallbackOutcome {
  ok: boolean;
  /** One line for the browser tab, e.g. "Logged in as alice." or the error. */
  message: string;
}

export interface LoopbackServer {
  /** Where it listens (port resolved when 0 was asked for). */
  address: BindAddress;
  /**
   * Resolves with the callback's query parameters once a request reaches `path`. The browser waits
   * for `respond` before it gets its page.
   */
  callback: Promise<URLSearchParams>;
  respond(outcome: CallbackOutcome): void;
  close(): Promise<void>;
}

export interface LoopbackOptions {
  addresses: readonly BindAddress[];
  /** The redirect URI's path; other paths get a 404. */
  path: string;
  /**
   * Whether a request to `path` is the callback we wait for (the right `state`). Any other gets a
   * 404 and the wait goes on: a local process that guesses the port cannot end or abort a login.
   */
  accept?: (params: URLSearchParams) => boolean;
  /**
   * Host header values (`host:port`) besides the bound address and `localhost:<port>`: the
   * redirect URI's. Anything else gets a 404 (DNS rebinding: a web page cannot talk to us).
   */
  hosts?: readonly string[];
  /** Host names that are fine with the port we listen on (the redirect URI's, e.g. `localhost`). */
  hostnames?: readonly string[];
  tls?: { cert: string; key: string };
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function callbackPage(outcome: CallbackOutcome): string {
  const title = outcome.ok ? 'kubecred: logged in' : 'kubecred: login failed';
  const hint = outcome.ok ? 'You can close this tab and go back to the terminal.' : 'Go back to the terminal for details, then try again.';
  return (
    `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>` +
    '<meta name="referrer" content="no-referrer"><style>body{font-family:sans-serif;margin:3em auto;max-width:40em}</style></head>' +
    `<body><h1>${escapeHtml(title)}</h1><p id="message">${escapeHtml(outcome.message)}</p><p>${escapeHtml(hint)}</p></body></html>`
  );
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    connection: 'close',
  });
  res.end(html);
}

function listen(server: Server, address: BindAddress): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host: address.host, port: address.port, exclusive: true });
  });
}

function describe(address: BindAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

export async function startLoopbackServer(options: LoopbackOptions): Promise<LoopbackServer> {
  let deliver!: (params: URLSearchParams) => void;
  const callback = new Promise<URLSearchParams>((resolve) => (deliver = resolve));
  let pending: ServerResponse | undefined;
  let received = false;
  let answered: CallbackOutcome | undefined;

  let allowedHosts = new Set<string>();
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://loopback');
    const host = (req.headers.host ?? '').toLowerCase();
    if (
      req.method !== 'GET' ||
      url.pathname !== options.path ||
      !allowedHosts.has(host) ||
      (!received && options.accept && !options.accept(url.searchParams))
    ) {
      send(res, 404, callbackPage({ ok: false, message: 'This is kubecred waiting for the login callback; nothing here.' }));
      return;
    }
    if (received) {
      // A second callback (reload, a stale tab): the first one decides.
      send(res, 409, callbackPage(answered ?? { ok: false, message: 'A login callback was already received; check the terminal.' }));
      return;
    }
    received = true;
    pending = res;
    deliver(url.searchParams);
  };
  const server: Server = options.tls
    ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler)
    : createHttpServer(handler);

  const problems: string[] = [];
  let bound: BindAddress | undefined;
  for (const address of options.addresses) {
    try {
      await listen(server, address);
      bound = { host: address.host, port: (server.address() as AddressInfo).port };
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push(
        `${describe(address)} ${code === 'EADDRINUSE' ? 'is in use' : code === 'EACCES' ? 'is not allowed' : `failed (${code ?? (err as Error).message})`}`,
      );
    }
  }
  if (!bound) {
    // Not a LoginFailedError: no login was attempted, and the fix (another port) should work at once.
    throw new KubecredError(
      `cannot listen for the login callback: ${problems.join(', ')}; free one of these ports or pass --listen-address 127.0.0.1:<a port your IdP allows in its redirect URIs>`,
    );
  }

  const port = bound.port;
  allowedHosts = new Set(
    [describe(bound), `localhost:${port}`, ...(options.hostnames ?? []).map((h) => `${h}:${port}`), ...(options.hosts ?? [])].map((h) =>
      h.toLowerCase(),
    ),
  );

  let flushed: Promise<void> = Promise.resolve();
  const close = async () => {
    // Let the browser get its page before the sockets go (bounded: a stuck browser must not hang us).
    await Promise.race([flushed, new Promise((r) => setTimeout(r, 1000).unref())]);
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  };
  return {
    address: bound,
    callback,
    respond(outcome) {
      answered = outcome;
      const res = pending;
      pending = undefined;
      if (!res) return;
      flushed = new Promise((resolve) => {
        res.once('finish', resolve);
        res.once('close', resolve);
      });
      send(res, outcome.ok ? 200 : 400, callbackPage(outcome));
    },
    close,
  };
}
