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

  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://loopback');
    if (req.method !== 'GET' || url.pathname !== options.path) {
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
  const server: Server = options.tls ? createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, handler) : createHttpServer(handler);

  const problems: string[] = [];
  let bound: BindAddress | undefined;
  for (const address of options.addresses) {
    try {
      await listen(server, address);
      bound = { host: address.host, port: (server.address() as AddressInfo).port };
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      problems.push(`${describe(address)} ${code === 'EADDRINUSE' ? 'is in use' : code === 'EACCES' ? 'is not allowed' : `failed (${code ?? (err as Error).message})`}`);
    }
  }
  if (!bound) {
    // Not a LoginFailedError: no login was attempted, and the fix (another port) should work at once.
    throw new KubecredError(
      `cannot listen for the login callback: ${problems.join(', ')}; free one of these ports or pass --listen-address 127.0.0.1:<a port your IdP allows in its redirect URIs>`,
    );
  }

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
