// The refresh's bare HTTP/1.1 client (src/infra/http1-*.ts, reached through raw-http.ts): response
// framing fed byte by byte, and whole exchanges against real sockets — a raw TCP server that answers
// exactly the bytes a test gives (chunked, split, until close, 1xx first, malformed), node:http for
// what a real server sends, and node:https with a test CA for TLS.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createCa, type TestCa } from './fixtures/certs.js';
import { Http1ResponseParser, MalformedResponseError, ResponseTooLargeError } from '../src/infra/http1-response.js';
import { createRawRequest } from '../src/infra/raw-http.js';
import { forgetSecrets, rememberSecret } from '../src/shared/scrub.js';

/** Feeds `text` to a fresh parser in pieces of `step` bytes (1 = byte by byte), then ends the input. */
function parse(text: string, step: number, maxBytes = 1 << 20) {
  const parser = new Http1ResponseParser(maxBytes);
  const bytes = Buffer.from(text, 'utf8');
  for (let i = 0; i < bytes.length; i += step) {
    const done = parser.push(bytes.subarray(i, i + step));
    if (done) return done;
  }
  return parser.end();
}

const chunked =
  'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n' +
  '7;ext=1\r\n{"a":"b\r\n' +
  'B\r\n", "c":"dé\r\n' +
  '2\r\n"}\r\n' +
  '0\r\nX-Trailer: t\r\n\r\n';

test('framing: chunked (with extensions and trailers), Content-Length, until close, 204, whichever way the bytes are split', () => {
  for (const step of [1, 3, 7, 1000]) {
    const r = parse(chunked, step);
    assert.equal(r.status, 200);
    assert.equal(r.body, '{"a":"b", "c":"dé"}', `step ${step}`);
    assert.equal(r.headers['content-type'], 'application/json');
    const length = parse('HTTP/1.1 400 Bad Request\r\ncontent-length: 5\r\nContent-Length: 5\r\n\r\nhello', step);
    assert.deepEqual([length.status, length.body], [400, 'hello']);
    const close = parse('HTTP/1.0 200 OK\r\n\r\nuntil the end', step);
    assert.equal(close.body, 'until the end');
  }
  assert.equal(parse('HTTP/1.1 204 No Content\r\n\r\n', 5).body, '');
});

test('framing: 1xx answers are skipped, repeated headers joined, and bytes after a complete body ignored', () => {
  const r = parse(
    'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 200 OK\r\nVary: a\r\nvary: b\r\nContent-Length: 2\r\n\r\nokEXTRA',
    4,
  );
  assert.deepEqual([r.status, r.body, r.headers.vary, r.headers.link], [200, 'ok', 'a, b', undefined]);
});

test('framing: what is not HTTP/1.x or is framed wrongly is refused, and a cap holds for headers, length and body', () => {
  for (const [text, wording] of [
    ['SSH-2.0-OpenSSH\r\n\r\n', /not HTTP\/1\.1/],
    ['HTTP/1.1 200 OK\r\n folded: x\r\n\r\n', /malformed header line/],
    ['HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello', /invalid Content-Length/],
    ['HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', /invalid Content-Length/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', /malformed chunk size/],
    ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX0\r\n\r\n', /closing CRLF/],
  ] as const) {
    assert.throws(
      () => parse(text, 3),
      (err: Error) => err instanceof MalformedResponseError && wording.test(err.message),
      text,
    );
  }
  const big = (body: string, head: string) => () => parse(`HTTP/1.1 200 OK\r\n${head}\r\n${body}`, 16, 100);
  assert.throws(big('', 'Content-Length: 101\r\n'), ResponseTooLargeError);
  assert.throws(big('x'.repeat(200), ''), ResponseTooLargeError);
  assert.throws(big('C8\r\n' + 'x'.repeat(200) + '\r\n0\r\n\r\n', 'Transfer-Encoding: chunked\r\n'), ResponseTooLargeError);
  assert.throws(() => parse('HTTP/1.1 200 OK\r\nX: ' + 'y'.repeat(200), 16, 100), ResponseTooLargeError);
  // A connection that ends inside a body with a known length is a failure, not a short answer.
  assert.throws(
    () => parse('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort', 4),
    /closed the connection before the response was complete/,
  );
});

let tcp: Server;
let tcpPort: number;
/** What the raw server answers next, and the request bytes it saw. */
let answer: (socket: Socket) => void = (s) => s.end();
let seen = '';
let ca: TestCa;

before(async () => {
  tcp = createTcpServer((socket) => {
    seen = '';
    socket.on('data', (d) => {
      seen += d.toString('latin1');
      if (seen.includes('\r\n\r\n')) answer(socket);
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  tcpPort = (tcp.address() as AddressInfo).port;
  ca = await createCa('http1-exchange-ca');
});
after(() => tcp.close());

const request = (options = {}) => createRawRequest({ timeoutMs: 2000, ...options })!;

test('a POST goes out as one HTTP/1.1 request: host, connection: close, content-length, the given headers; the answer comes back whole', async () => {
  answer = (s) => {
    s.write('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n{"a');
    setTimeout(() => s.end('\r\n6\r\n":"é"\r\n1\r\n}\r\n0\r\n\r\n'), 20);
  };
  let sent = 0;
  const r = await request()(`http://127.0.0.1:${tcpPort}/realms/x/token?q=1`, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded', Host: 'ignored', 'Content-Length': '999' },
    body: 'grant_type=refresh_token&x=é',
    onSent: () => sent++,
  });
  assert.deepEqual([r.status, r.body, r.headers['content-type']], [200, '{"a":"é"}', 'application/json']);
  assert.equal(sent, 1);
  const [head, body] = seen.split('\r\n\r\n');
  const lines = head!.split('\r\n');
  assert.equal(lines[0], 'POST /realms/x/token?q=1 HTTP/1.1');
  assert.deepEqual(lines.slice(1).sort(), [
    'accept: application/json',
    'connection: close',
    `content-length: ${Buffer.byteLength('grant_type=refresh_token&x=é')}`,
    'content-type: application/x-www-form-urlencoded',
    `host: 127.0.0.1:${tcpPort}`,
  ]);
  assert.equal(Buffer.from(body!, 'latin1').toString('utf8'), 'grant_type=refresh_token&x=é');
});

test('failures are one line naming the host: refused, timed out, hung up, not HTTP, too large; a header with a line break is never sent', async () => {
  const host = `127.0.0.1:${tcpPort}`;
  const get = (url = `http://${host}/`, options = {}) => request(options)(url, { method: 'GET', headers: {} });
  answer = (s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort');
  await assert.rejects(
    get(),
    new RegExp(`^Error: request to ${host} failed: the server closed the connection before the response was complete$`),
  );
  answer = (s) => s.end('SSH-2.0-OpenSSH_9.6\r\n\r\n');
  await assert.rejects(get(), new RegExp(`${host} sent a response that is not HTTP/1.1 .*: is the URL that of the service\\?$`));
  // A malformed answer is quoted in part, but never what we sent (a server may echo the request).
  rememberSecret('refresh-secret-42');
  answer = (s) => s.end('HTTP/1.1 200 OK\r\n refresh-secret-42\r\n\r\n');
  await assert.rejects(
    get(),
    (err: Error) => /sent a malformed header line/.test(err.message) && !err.message.includes('refresh-secret-42'),
  );
  forgetSecrets();
  answer = (s) => s.end(`HTTP/1.1 200 OK\r\n\r\n${'x'.repeat(5000)}`);
  await assert.rejects(get(undefined, { maxResponseBytes: 2048 }), new RegExp(`${host} sent a response larger than 2 KiB; refusing it`));
  answer = () => {}; // never answers
  await assert.rejects(get(undefined, { timeoutMs: 300 }), new RegExp(`${host} did not answer within 0s`));
  const closed = createTcpServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  closed.close();
  await assert.rejects(get(`http://127.0.0.1:${port}/`), /refused the connection: is the URL right and the service up\?/);
  seen = '';
  await assert.rejects(request()(`http://${host}/`, { method: 'GET', headers: { 'x-a': 'b\r\nx-smuggled: 1' } }), /line break/);
  assert.equal(seen, '', 'nothing was sent');
});

test('against node:http and an IPv6 literal, and over TLS: the given CA verifies the server, a wrong one is refused', async (t) => {
  const plain = createHttpServer((req, res) => {
    let b = '';
    req.on('data', (d) => (b += d));
    req.on('end', () => res.writeHead(201, { 'content-type': 'text/plain' }).end(`${req.method} ${req.url} ${req.headers.host} ${b}`));
  });
  await new Promise<void>((r) => plain.listen(0, '::1', r));
  t.after(() => plain.close());
  const p6 = (plain.address() as AddressInfo).port;
  const r6 = await request()(`http://[::1]:${p6}/v6`, { method: 'POST', headers: {}, body: 'x=1' });
  assert.deepEqual([r6.status, r6.body], [201, `POST /v6 [::1]:${p6} x=1`]);

  const { cert, key } = await ca.issueServerCert();
  const secure = createHttpsServer({ cert, key }, (req, res) =>
    res.writeHead(200, { 'content-type': 'application/json' }).end(`{"host":"${req.headers.host}"}`),
  );
  await new Promise<void>((r) => secure.listen(0, '127.0.0.1', r));
  t.after(() => secure.close());
  const port = (secure.address() as AddressInfo).port;
  for (const name of ['127.0.0.1', 'localhost']) {
    const r = await request({ caData: [ca.caPem] })(`https://${name}:${port}/`, { method: 'GET', headers: {} });
    assert.equal(JSON.parse(r.body).host, `${name}:${port}`);
  }
  await assert.rejects(
    request()(`https://127.0.0.1:${port}/`, { method: 'GET', headers: {} }),
    /TLS verification of 127\.0\.0\.1:\d+ failed \(.+\): pass the CA that signed it/,
  );
  const other = await createCa('http1-other-ca');
  await assert.rejects(
    request({ caData: [other.caPem], caFlag: '--oidc-ca-file' })(`https://localhost:${port}/`, { method: 'GET', headers: {} }),
    /TLS verification of localhost:\d+ failed \(.+\): pass the CA that signed it with --oidc-ca-file/,
  );
});
