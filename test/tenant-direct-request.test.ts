// The direct request's parts on their own: which management contexts it takes (directPlan), what
// kubeApiGet does with a cluster's TLS settings and credentials (against small real servers), and
// the one-line wording of the failures only it can have (a timeout, a cap, an unreadable file).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Server } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { join } from 'node:path';
import { createCa, type TestCa, type PemPair } from './fixtures/certs.js';
import { KubeApiFileError, KubeApiNetworkError, KubeApiTooLargeError, kubeApiGet } from '../src/infra/kube-api-request.js';
import { directPlan } from '../src/providers/tenant/management-direct.js';
import { managementError } from '../src/providers/tenant/management-errors.js';
import type { FoundContext } from '../src/kubeconfig/index.js';
import { testTempDir } from './helpers/cli.js';

const dir = testTempDir('kubecred-direct-request-');
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

function found(user: Record<string, unknown>, cluster: Record<string, unknown> = { server: 'https://mgmt.example:6443' }): FoundContext {
  const file = join(dir, 'config');
  return {
    context: { name: 'm', cluster: 'c', user: 'u' },
    cluster: { name: 'c', file, server: 'https://mgmt.example:6443', ...cluster },
    user: { name: 'u', file, exec: undefined, ...user },
    file,
  } as FoundContext;
}

test('directPlan: client certificates, tokens and tokenFiles go direct; everything else to client-node, saying why', () => {
  const cert = directPlan(found({ 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') }));
  assert.ok('config' in cert);
  assert.equal(cert.credential, 'client certificate');
  assert.equal(cert.config.certData, 'CERT');
  assert.equal(cert.config.keyData, 'KEY');
  const files = directPlan(
    found({ 'client-certificate': 'a.crt', 'client-key': '/abs/a.key' }, { 'certificate-authority': 'ca.crt', 'tls-server-name': 'kube' }),
  );
  assert.ok('config' in files);
  assert.equal(files.config.certFile, join(dir, 'a.crt'), 'relative to the kubeconfig file');
  assert.equal(files.config.keyFile, '/abs/a.key');
  assert.equal(files.config.caFile, join(dir, 'ca.crt'));
  assert.equal(files.config.tlsServerName, 'kube');
  const both = directPlan(found({ token: 'tok', tokenFile: 't.txt' }));
  assert.ok('config' in both);
  assert.equal(both.credential, 'tokenFile');
  assert.equal(both.config.bearerToken, 'tok');
  assert.equal(both.config.bearerTokenFile, join(dir, 't.txt'));
  const insecure = directPlan(found({ token: 'tok' }, { 'insecure-skip-tls-verify': true, extensions: [{ name: 'x', extension: {} }] }));
  assert.ok('config' in insecure && insecure.config.insecureSkipTlsVerify === true);
  const loopbackHttp = directPlan(found({ token: 'tok' }, { server: 'http://127.0.0.1:8001' }));
  assert.ok('config' in loopbackHttp, '`kubectl proxy` on this machine');

  const reasons: Array<[Record<string, unknown>, Record<string, unknown> | undefined, string]> = [
    [{ exec: { command: 'kubecred', apiVersion: 'client.authentication.k8s.io/v1' } }, undefined, 'an exec plugin'],
    [{ 'auth-provider': { name: 'oidc' } }, undefined, 'an auth-provider'],
    [{ username: 'a', password: 'b' }, undefined, 'username and password'],
    [{ token: 'tok', as: 'bob' }, undefined, 'impersonation'],
    [{ token: 'tok' }, { 'proxy-url': 'http://proxy:3128' }, 'a proxy-url'],
    [{ 'client-certificate-data': b64('CERT') }, undefined, 'a client certificate without its key'],
    [{}, undefined, 'no client certificate or token'],
    [{ token: 'tok', color: 'blue' }, undefined, 'user field color'],
    [{ token: 42 }, undefined, 'user field token of an unexpected type'],
    [{ token: 'tok' }, { server: 'http://mgmt.example:8080' }, 'plain http to another machine'],
    [{ token: 'tok' }, { server: 'not a url' }, 'a server that is not a URL'],
    [{ token: 'tok' }, { server: 'ftp://mgmt.example' }, 'a ftp:// server'],
  ];
  for (const [user, cluster, reason] of reasons) assert.deepEqual(directPlan(found(user, cluster)), { reason }, JSON.stringify(user));
  assert.ok('config' in directPlan(found({ token: 'tok' }, { server: 'http://mgmt.example:8080', 'insecure-skip-tls-verify': true })));
});

let ca: TestCa;
let serving: PemPair;
let clientCa: TestCa;
before(async () => {
  [ca, clientCa] = await Promise.all([createCa('direct-serving-ca'), createCa('direct-client-ca')]);
  serving = await ca.issueServerCert();
});

interface Seen {
  path: string;
  authorization?: string;
  servername?: string | false | null;
  clientCn?: string;
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function recorder(seen: Seen[], answer: (req: IncomingMessage, res: ServerResponse) => void) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const socket = req.socket as TLSSocket;
    const peer = socket.getPeerCertificate?.();
    seen.push({
      path: req.url ?? '',
      ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      ...(socket.servername !== undefined ? { servername: socket.servername } : {}),
      ...(peer && peer.subject ? { clientCn: String(peer.subject.CN) } : {}),
    });
    answer(req, res);
  };
}

const json = (res: ServerResponse, body: unknown) => {
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
};

const servers: Server[] = [];
after(() => {
  for (const s of servers) s.close();
  for (const s of servers) (s as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
});

async function httpsServer(seen: Seen[], answer: (req: IncomingMessage, res: ServerResponse) => void = (_q, r) => json(r, { ok: true })) {
  const server = createHttpsServer(
    { cert: serving.cert, key: serving.key, ca: clientCa.caPem, requestCert: true, rejectUnauthorized: false },
    recorder(seen, answer),
  );
  servers.push(server);
  return `https://127.0.0.1:${await listen(server)}`;
}

test('kubeApiGet: only the given CA, tls-server-name for SNI and the name check, insecure-skip-tls-verify', async () => {
  const seen: Seen[] = [];
  const url = await httpsServer(seen);
  const ok = await kubeApiGet({ server: url, caData: ca.caPem, tlsServerName: 'localhost' }, '/api/v1/secrets');
  assert.deepEqual(ok, { status: 200, contentType: 'application/json', text: '{"ok":true}' });
  assert.equal(seen[0]!.servername, 'localhost');
  assert.equal(seen[0]!.authorization, undefined);
  await assert.rejects(
    kubeApiGet({ server: url, caData: ca.caPem, tlsServerName: 'elsewhere.example' }, '/x'),
    (err: unknown) => err instanceof KubeApiNetworkError && err.code === 'ERR_TLS_CERT_ALTNAME_INVALID',
  );
  const other = await createCa('not-the-one');
  await assert.rejects(
    kubeApiGet({ server: url, caData: other.caPem }, '/x'),
    (err: unknown) => err instanceof KubeApiNetworkError && err.code === 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  );
  // No CA: the system roots, which do not hold the test CA.
  await assert.rejects(
    kubeApiGet({ server: url }, '/x'),
    (err: unknown) => err instanceof KubeApiNetworkError && /CERT|UNABLE/.test(err.code ?? ''),
  );
  assert.equal((await kubeApiGet({ server: url, caData: other.caPem, insecureSkipTlsVerify: true }, '/x')).status, 200);
});

test('kubeApiGet: client certificate and bearer token, data before files, tokenFile before token; a path prefix kept', async () => {
  const seen: Seen[] = [];
  const url = await httpsServer(seen);
  const alice = await clientCa.issueClientCert('alice', []);
  writeFileSync(join(dir, 'alice.crt'), alice.cert);
  writeFileSync(join(dir, 'alice.key'), alice.key);
  writeFileSync(join(dir, 'ca.crt'), ca.caPem);
  writeFileSync(join(dir, 'token'), '  from-file\n');
  await kubeApiGet(
    { server: `${url}/k8s/clusters/c-1/`, caFile: join(dir, 'ca.crt'), certFile: join(dir, 'alice.crt'), keyFile: join(dir, 'alice.key') },
    '/api/v1/secrets',
  );
  assert.deepEqual(
    seen.at(-1),
    { path: '/k8s/clusters/c-1/api/v1/secrets', servername: false, clientCn: 'alice' },
    'no SNI for an IP address',
  );
  await kubeApiGet(
    {
      server: url,
      caData: ca.caPem,
      caFile: join(dir, 'missing'),
      certData: alice.cert,
      keyData: alice.key,
      certFile: join(dir, 'missing'),
    },
    '/a',
  );
  assert.equal(seen.at(-1)!.clientCn, 'alice', 'data wins over a file (which is not read)');
  await kubeApiGet({ server: url, caData: ca.caPem, bearerToken: 'inline', bearerTokenFile: join(dir, 'token') }, '/b');
  assert.equal(seen.at(-1)!.authorization, 'Bearer from-file');
  await kubeApiGet({ server: url, caData: ca.caPem, bearerToken: 'inline', bearerTokenFile: join(dir, 'missing') }, '/c');
  assert.equal(seen.at(-1)!.authorization, 'Bearer inline', "an unreadable tokenFile falls back to the token (client-go's rule)");
  for (const [config, field] of [
    [{ bearerTokenFile: join(dir, 'missing') }, 'tokenFile'],
    [{ caFile: join(dir, 'missing') }, 'certificate-authority'],
    [{ caData: ca.caPem, certFile: join(dir, 'missing'), keyData: alice.key }, 'client-certificate'],
    [{ caData: ca.caPem, certData: alice.cert, keyFile: join(dir, 'missing') }, 'client-key'],
  ] as const) {
    await assert.rejects(
      kubeApiGet({ server: url, ...config }, '/d'),
      (err: unknown) => err instanceof KubeApiFileError && err.field === field && err.code === 'ENOENT',
      field,
    );
  }
});

test('kubeApiGet: plain http (kubectl proxy), a timeout, the response cap', async () => {
  const seen: Seen[] = [];
  const plain = createHttpServer(recorder(seen, (_q, r) => json(r, { plain: true })));
  servers.push(plain);
  const port = await listen(plain);
  const r = await kubeApiGet({ server: `http://127.0.0.1:${port}`, bearerToken: 'tok-1234' }, '/api/v1/secrets');
  assert.equal(r.text, '{"plain":true}');
  assert.equal(seen[0]!.authorization, 'Bearer tok-1234');

  const silent = await httpsServer([], () => undefined);
  const started = Date.now();
  await assert.rejects(
    kubeApiGet({ server: silent, caData: ca.caPem, timeoutMs: 300 }, '/x'),
    (err: unknown) => err instanceof KubeApiNetworkError && err.timedOut && err.code === 'ETIMEDOUT',
  );
  assert.ok(Date.now() - started < 5000);

  const big = await httpsServer([], (req, res) => {
    const body = 'x'.repeat(4096);
    if (req.url === '/declared') res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(body.length) });
    else res.writeHead(200, { 'content-type': 'application/json' });
    res.end(body);
  });
  for (const path of ['/declared', '/chunked'])
    await assert.rejects(
      kubeApiGet({ server: big, caData: ca.caPem, maxResponseBytes: 1024 }, path),
      (err: unknown) => err instanceof KubeApiTooLargeError,
      path,
    );
});

test('the failures only the direct request has, in one line', () => {
  const where = { contextName: 'm', server: 'https://mgmt.example:6443' };
  const op = { namespace: 'tenant-acme', verb: 'get' as const, name: 'kubernetes-dev-admin-kubeconfig' };
  assert.equal(
    managementError({ kind: 'network', code: 'ETIMEDOUT', message: 'no answer within 30s', timedOut: true }, where, op).message,
    'the management cluster https://mgmt.example:6443 (context m) is unreachable: no answer within 30s: check the network, the VPN, or --management-context',
  );
  assert.equal(
    managementError({ kind: 'too-large', maxBytes: 64 * 1024 * 1024 }, where, op).message,
    'the management cluster https://mgmt.example:6443 sent more than 64 MiB reading secrets in tenant-acme; refusing it',
  );
  assert.equal(
    managementError({ kind: 'file', field: 'client-key', file: '/home/a/.kube/a.key', code: 'EACCES' }, where, op).message,
    'cannot read client-key /home/a/.kube/a.key of management context m: EACCES: fix that context or pass another --management-context',
  );
  assert.match(
    managementError({ kind: 'network', code: 'ERR_TLS_CERT_ALTNAME_INVALID', message: 'x' }, where, op).message,
    /^TLS verification of the management cluster https:\/\/mgmt\.example:6443 \(context m\) failed \(ERR_TLS_CERT_ALTNAME_INVALID\): its certificate is not for this address: /,
  );
});
