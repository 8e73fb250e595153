// An HTTP forward proxy for HTTP_PROXY in tests. It forwards kubecred's requests to a plain-http IdP
// and lets a test rewrite JSON answers on the way back (discovery, token responses), which is how
// the negative tests forge a wrong issuer, audience or nonce without changing the IdP. It also
// proves that kubecred honours HTTP_PROXY. Handles both absolute-form requests and CONNECT tunnels
// (undici tunnels even plain-http targets), by parsing the HTTP inside the tunnel.
import http from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export type JsonRewrite = (json: Record<string, unknown>, path: string) => Record<string, unknown> | Promise<Record<string, unknown>>;

export interface TamperProxy {
  /** http://127.0.0.1:PORT, for HTTP_PROXY. */
  url: string;
  /** Paths (e.g. /token) requested through the proxy, in order. */
  readonly seen: string[];
  /** host:port of every CONNECT tunnel opened. */
  readonly tunnels: string[];
  /** Rewrites JSON bodies of answers whose path ends with the key (e.g. '/token'). */
  rewrite: Map<string, JsonRewrite>;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/**
 * `upstream` (an origin) also makes it a reverse proxy: origin-form requests to its own URL go
 * there, so a cached endpoint can point at it without HTTP_PROXY (the direct refresh's tests).
 */
export async function startTamperProxy(options: { upstream?: string } = {}): Promise<TamperProxy> {
  const seen: string[] = [];
  const tunnels: string[] = [];
  const raw: Socket[] = [];
  const rewrite = new Map<string, JsonRewrite>();

  async function forward(req: IncomingMessage, res: ServerResponse, target: URL): Promise<void> {
    seen.push(target.pathname);
    const body = await readBody(req);
    const headers: Record<string, string | string[] | undefined> = { ...req.headers, host: target.host };
    delete headers['proxy-connection'];
    const upstream = await new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
      const out = http.request(target, { method: req.method, headers }, (r) => {
        const chunks: Buffer[] = [];
        r.on('data', (c: Buffer) => chunks.push(c));
        r.on('end', () => resolve({ status: r.statusCode ?? 502, headers: r.headers, body: Buffer.concat(chunks) }));
        r.on('error', reject);
      });
      out.on('error', reject);
      out.end(body);
    });
    let payload = upstream.body;
    const hook = [...rewrite.entries()].find(([suffix]) => target.pathname.endsWith(suffix))?.[1];
    if (hook && String(upstream.headers['content-type']).includes('json')) {
      const json = JSON.parse(payload.toString('utf8')) as Record<string, unknown>;
      payload = Buffer.from(JSON.stringify(await hook(json, target.pathname)));
    }
    const outHeaders = { ...upstream.headers, 'content-length': String(payload.length) };
    delete outHeaders['transfer-encoding'];
    delete outHeaders.etag;
    // A client that stops reading (kubecred refusing an oversized answer) resets the connection.
    res.on('error', () => {});
    res.socket?.on('error', () => {});
    res.writeHead(upstream.status, outHeaders);
    res.end(payload);
  }

  const handle = (base: ((req: IncomingMessage) => string) | undefined) => (req: IncomingMessage, res: ServerResponse) => {
    const target = new URL(req.url ?? '/', base ? base(req) : undefined);
    forward(req, res, target).catch((err: Error) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`tamper-proxy: ${err.message}`);
    });
  };

  // Inside a CONNECT tunnel requests are origin-form: the tunnel's Host header names the target.
  const tunnelled = http.createServer(handle((req) => `http://${req.headers.host}`));
  const server = http.createServer(handle(options.upstream ? () => options.upstream! : undefined));
  server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    tunnels.push(req.url ?? '');
    // The client may reset the tunnel (kubecred refusing an oversized answer): not the proxy's failure.
    socket.on('error', () => {});
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) socket.unshift(head);
    socket.once('data', (first: Buffer) => {
      socket.pause();
      socket.unshift(first);
      if (first[0] !== 0x16) {
        tunnelled.emit('connection', socket);
        socket.resume();
        return;
      }
      // TLS inside (an https IdP): cannot be read, only passed on.
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host!, () => {
        socket.pipe(upstream);
        upstream.pipe(socket);
        socket.resume();
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
      raw.push(socket, upstream);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    tunnels,
    rewrite,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of raw) s.destroy();
        tunnelled.closeAllConnections();
        server.closeAllConnections();
        server.close(() => resolve());
        // A tunnel reset mid-answer (a client refusing an oversized body) can leave the server's
        // connection count behind, and close() would then never call back: do not wait for it.
        setTimeout(resolve, 1000);
      }),
  };
}
