// Reading a node:http(s) response body with a size cap (kube-api-request.ts; the refresh's bare
// HTTP/1.1 client caps in its own parser, http1-response.ts): a server that sends more than we
// would ever accept is cut off, not buffered.
import type { IncomingMessage } from 'node:http';

export interface CappedBodyHandlers {
  /** The body (as text) is complete. */
  done(text: string): void;
  /** Content-Length or the bytes seen went past the cap; the response is destroyed. */
  tooLarge(): void;
  error(err: Error): void;
}

export function readCappedBody(res: IncomingMessage, maxBytes: number, on: CappedBodyHandlers): void {
  if (Number(res.headers['content-length'] ?? '0') > maxBytes) {
    res.destroy();
    on.tooLarge();
    return;
  }
  const chunks: Buffer[] = [];
  let seen = 0;
  res.on('data', (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > maxBytes) {
      res.destroy();
      on.tooLarge();
    } else chunks.push(chunk);
  });
  res.on('error', on.error);
  res.on('end', () => on.done(Buffer.concat(chunks).toString('utf8')));
}
