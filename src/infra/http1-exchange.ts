// One HTTP/1.1 request with `Connection: close` over a bare node:net or node:tls socket: what a
// refresh's single POST needs. Loading node:http and setting up its agent, parser and message
// streams costs ~8 ms (a fifth of Node's own start) on top of node:net, and a refresh waits for it
// on every token hour. TLS is node:tls's own verification (the given CAs or the system's, the
// host name checked; SNI unless the host is an IP address), exactly as node:https would do it.
import type { Socket } from 'node:net';
import { Http1ResponseParser, type Http1Response } from './http1-response.js';

export interface Http1Request {
  method: 'GET' | 'POST';
  /** Sent as given, plus host, connection and content-length. */
  headers: Record<string, string>;
  body?: string;
  /** CAs to trust instead of the system's (https only). */
  ca?: string[];
  maxBytes: number;
  timeoutMs: number;
  /** Called once the request is handed to the OS. */
  onSent?: () => void;
}

/** A request line and headers never carry CR or LF: a value with them would smuggle a header. */
function headerLine(name: string, value: string): string {
  if (/[\r\n]/.test(name) || /[\r\n]/.test(value)) throw new Error(`header ${name} holds a line break`);
  return `${name}: ${value}\r\n`;
}

function requestBytes(target: URL, init: Http1Request): Buffer {
  const body = init.body === undefined ? undefined : Buffer.from(init.body, 'utf8');
  let head = `${init.method} ${target.pathname || '/'}${target.search} HTTP/1.1\r\n`;
  head += headerLine('host', target.host);
  for (const [name, value] of Object.entries(init.headers)) {
    const lower = name.toLowerCase();
    if (lower !== 'host' && lower !== 'connection' && lower !== 'content-length') head += headerLine(name, value);
  }
  head += 'connection: close\r\n';
  if (body) head += `content-length: ${body.length}\r\n`;
  head += '\r\n';
  return body ? Buffer.concat([Buffer.from(head, 'latin1'), body]) : Buffer.from(head, 'latin1');
}

async function connect(target: URL, ca: string[] | undefined): Promise<Socket> {
  const host = target.hostname.replace(/^\[(.*)\]$/, '$1'); // [::1] → ::1
  const net = await import('node:net');
  if (target.protocol === 'https:') {
    // Loaded only for https: node:tls costs ~5 ms that plain http does not need.
    const tls = await import('node:tls');
    return tls.connect({
      host,
      port: Number(target.port || 443),
      // SNI takes names only (RFC 6066 3); the certificate is checked against the host either way.
      servername: net.isIP(host) ? undefined : host,
      ALPNProtocols: ['http/1.1'],
      ...(ca ? { ca } : {}),
    });
  }
  return net.connect({ host, port: Number(target.port || 80) });
}

/** Sends the request and resolves with the whole response; rejects with Node's socket error, a timeout (name TimeoutError) or a framing error. */
export async function http1Exchange(target: URL, init: Http1Request): Promise<Http1Response> {
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new Error(`not an http(s) URL: ${target.protocol}`);
  const bytes = requestBytes(target, init);
  const socket = await connect(target, init.ca);
  return new Promise((resolve, reject) => {
    const parser = new Http1ResponseParser(init.maxBytes);
    let settled = false;
    const settle = (err: Error | undefined, response?: Http1Response) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (err) reject(err);
      else resolve(response!);
    };
    // Connect to last byte, as fetch's AbortSignal.timeout in http.ts.
    const timer = setTimeout(() => settle(Object.assign(new Error('timeout'), { name: 'TimeoutError' })), init.timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      try {
        const response = parser.push(chunk);
        if (response) settle(undefined, response);
      } catch (err) {
        settle(err as Error);
      }
    });
    socket.on('end', () => {
      try {
        settle(undefined, parser.end());
      } catch (err) {
        settle(err as Error);
      }
    });
    socket.on('error', (err) => settle(err));
    socket.on('close', () => settle(new Error('the connection closed without a response')));
    socket.write(bytes, () => init.onSent?.());
  });
}
