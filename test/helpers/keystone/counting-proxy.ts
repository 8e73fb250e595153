// A tiny HTTP reverse proxy in front of Keystone: counts what kubecred asks for, and can play
// "Keystone is down" (stops listening: connection refused) and come back on the same port.
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface CountedRequest {
  method: string;
  path: string;
  status: number;
  /** The query string as sent (`?nocatalog`), '' if none. */
  query: string;
  /** Response bytes kubecred received (headers excluded). */
  bytes: number;
}

export interface CountingProxy {
  /** http://127.0.0.1:PORT/v3 — give this to kubecred; give the API server Keystone itself. */
  url: string;
  readonly requests: CountedRequest[];
  /** POST /v3/auth/tokens: token issues (and failed attempts). */
  tokenIssues(): number;
  reset(): void;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const requests: CountedRequest[] = [];
  const sockets = new Set<Socket>();
  const server = http.createServer((req, res) => {
    const [path, query] = (req.url ?? '/').split('?');
    const record: CountedRequest = {
      method: req.method ?? 'GET',
      path: path!,
      status: 0,
      query: query === undefined ? '' : `?${query}`,
      bytes: 0,
    };
    requests.push(record);
    const out = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: { ...req.headers, host: upstream.host } },
      (answer) => {
        record.status = answer.statusCode ?? 0;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.on('data', (chunk: Buffer) => (record.bytes += chunk.length));
        answer.pipe(res);
      },
    );
    out.on('error', (err) => {
      record.status = 502;
      res.writeHead(502).end(String(err));
    });
    req.pipe(out);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const listen = (port: number) => new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const stop = () =>
    new Promise<void>((r) => {
      server.close(() => r());
      for (const s of sockets) s.destroy();
    });
  return {
    url: `http://127.0.0.1:${port}${upstream.pathname.replace(/\/+$/, '')}`,
    requests,
    tokenIssues: () => requests.filter((r) => r.method === 'POST' && r.path.endsWith('/auth/tokens')).length,
    reset: () => void (requests.length = 0),
    down: stop,
    up: () => listen(port),
    close: stop,
  };
}
