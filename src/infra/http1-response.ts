// The response side of one HTTP/1.1 exchange (RFC 9112), fed with the bytes of a socket as they
// come: status line, headers, then the body framed by Transfer-Encoding: chunked, Content-Length or
// the end of the connection. Pure (no I/O), so the framing is tested on its own; http1-exchange.ts
// drives it over node:net or node:tls.

export interface Http1Response {
  status: number;
  /** Lower-case names; a repeated header is joined with ", ". */
  headers: Record<string, string | undefined>;
  body: string;
}

/** A response that is not HTTP/1.x, or framed in a way we do not read: the exchange fails with it. */
export class MalformedResponseError extends Error {
  override name = 'MalformedResponseError';
}

/** More than the cap: the body, or the headers before it. */
export class ResponseTooLargeError extends Error {
  override name = 'ResponseTooLargeError';
}

const HEADER_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');

type Framing = { kind: 'none' } | { kind: 'length'; left: number } | { kind: 'chunked' } | { kind: 'close' };

export class Http1ResponseParser {
  private pending: Buffer = Buffer.alloc(0);
  private status = 0;
  private headers: Record<string, string | undefined> = {};
  private framing: Framing | undefined;
  private readonly body: Buffer[] = [];
  private bodyBytes = 0;
  /** Inside a chunked body: bytes left of the current chunk (+2 for its CRLF), or after the last chunk. */
  private chunkLeft = 0;
  private inTrailers = false;
  private result: Http1Response | undefined;

  constructor(private readonly maxBytes: number) {}

  /** Feeds bytes; returns the response once it is complete. */
  push(bytes: Buffer): Http1Response | undefined {
    if (this.result) return this.result;
    this.pending = this.pending.length ? Buffer.concat([this.pending, bytes]) : bytes;
    while (!this.framing) {
      const end = this.pending.indexOf(HEADER_END);
      if (end === -1) {
        if (this.pending.length > this.maxBytes) throw new ResponseTooLargeError('headers larger than the cap');
        return undefined;
      }
      const head = this.pending.subarray(0, end).toString('latin1');
      this.pending = this.pending.subarray(end + 4);
      this.readHead(head);
    }
    return this.readBody();
  }

  /** The connection ended: the response, if its framing allows ending here. */
  end(): Http1Response {
    if (this.result) return this.result;
    if (this.framing?.kind === 'close') return this.finish();
    throw Object.assign(new Error('the server closed the connection before the response was complete'), {
      code: 'ECONNRESET',
    });
  }

  private readHead(head: string): void {
    const [statusLine = '', ...lines] = head.split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine);
    if (!m) throw new MalformedResponseError(`a response that is not HTTP/1.1 (${JSON.stringify(statusLine.slice(0, 40))})`);
    const status = Number(m[1]);
    // 1xx (100 Continue, 103 Early Hints) come before the real answer; 101 would switch protocols.
    if (status >= 100 && status < 200 && status !== 101) return;
    const headers: Record<string, string | undefined> = {};
    for (const line of lines) {
      const colon = line.indexOf(':');
      if (colon <= 0 || /^\s/.test(line))
        throw new MalformedResponseError(`a malformed header line (${JSON.stringify(line.slice(0, 40))})`);
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    this.status = status;
    this.headers = headers;
    this.framing = framingOf(status, headers, this.maxBytes);
  }

  private readBody(): Http1Response | undefined {
    const framing = this.framing!;
    if (framing.kind === 'none') return this.finish();
    if (framing.kind === 'close') {
      this.take(this.pending.length);
      return undefined;
    }
    if (framing.kind === 'length') {
      const n = Math.min(framing.left, this.pending.length);
      this.take(n);
      framing.left -= n;
      return framing.left === 0 ? this.finish() : undefined;
    }
    return this.readChunks();
  }

  private readChunks(): Http1Response | undefined {
    for (;;) {
      if (this.chunkLeft > 0) {
        // Data, then the CRLF that closes the chunk (not part of the body).
        const data = Math.max(0, Math.min(this.chunkLeft - 2, this.pending.length));
        this.take(data);
        this.chunkLeft -= data;
        if (this.chunkLeft > 2 || this.pending.length < this.chunkLeft) return undefined;
        if (!this.pending.subarray(0, 2).equals(CRLF)) throw new MalformedResponseError('a chunk without its closing CRLF');
        this.pending = this.pending.subarray(2);
        this.chunkLeft = 0;
      }
      const eol = this.pending.indexOf(CRLF);
      if (eol === -1) {
        if (this.pending.length > 4096) throw new MalformedResponseError('a chunk-size line longer than 4 KiB');
        return undefined;
      }
      const line = this.pending.subarray(0, eol).toString('latin1');
      this.pending = this.pending.subarray(eol + 2);
      if (this.inTrailers) {
        if (line === '') return this.finish();
        continue;
      }
      const size = /^([0-9a-fA-F]{1,8})[ \t]*(?:;.*)?$/.exec(line);
      if (!size) throw new MalformedResponseError(`a malformed chunk size (${JSON.stringify(line.slice(0, 20))})`);
      const n = parseInt(size[1]!, 16);
      if (n === 0) this.inTrailers = true;
      else this.chunkLeft = n + 2;
    }
  }

  private take(n: number): void {
    if (n === 0) return;
    this.bodyBytes += n;
    if (this.bodyBytes > this.maxBytes) throw new ResponseTooLargeError('a body larger than the cap');
    this.body.push(this.pending.subarray(0, n));
    this.pending = this.pending.subarray(n);
  }

  private finish(): Http1Response {
    this.result = { status: this.status, headers: this.headers, body: Buffer.concat(this.body).toString('utf8') };
    return this.result;
  }
}

/** RFC 9112 6.3, for a response to GET or POST. */
function framingOf(status: number, headers: Record<string, string | undefined>, maxBytes: number): Framing {
  if (status === 204 || status === 304) return { kind: 'none' };
  const coding = headers['transfer-encoding'];
  if (coding !== undefined) {
    // chunked must be the last coding; any other coding is read until the connection closes.
    const codings = coding
      .toLowerCase()
      .split(',')
      .map((c) => c.trim());
    return codings.at(-1) === 'chunked' ? { kind: 'chunked' } : { kind: 'close' };
  }
  const length = headers['content-length'];
  if (length === undefined) return { kind: 'close' };
  // A repeated header must repeat the same number (RFC 9110 8.6).
  const values = new Set(length.split(',').map((v) => v.trim()));
  const only = values.size === 1 ? [...values][0]! : '';
  if (!/^\d{1,15}$/.test(only)) throw new MalformedResponseError(`an invalid Content-Length (${JSON.stringify(length.slice(0, 20))})`);
  const left = Number(only);
  if (left > maxBytes) throw new ResponseTooLargeError('a Content-Length larger than the cap');
  return left === 0 ? { kind: 'none' } : { kind: 'length', left };
}
