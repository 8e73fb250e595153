// The two ways a tenant miss reads the admin kubeconfig Secret: a management context whose user is
// a client certificate or a token is read with one node:https request, without loading
// @kubernetes/client-node; an exec context (and the other kinds) still through client-node. Each run
// records the module files Node's ES-module loader resolves (an ES-module-only package such as
// client-node always comes that way), so "not loaded" is checked, and the exec runs show the check
// sees client-node when it is loaded. Every failure gives the same one line on both paths, from the
// same management cluster answer, and no token reaches stderr.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { createServer as createNetServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { createCa } from './fixtures/certs.js';
import { writeLoadRecorder } from './helpers/load-recorder.js';
import { startTenantRig, CLUSTER, TENANT, type TenantRig } from './helpers/tenant/rig.js';
import type { RunResult } from './helpers/cli.js';

const ALICE_TOKEN = `alice-${randomBytes(16).toString('hex')}`;
const MALLORY_TOKEN = `mallory-${randomBytes(16).toString('hex')}`;
const UNKNOWN_TOKEN = `unknown-${randomBytes(16).toString('hex')}`;
const TOKENS = [ALICE_TOKEN, MALLORY_TOKEN, UNKNOWN_TOKEN];
const SECRET = `tenant-${TENANT}/kubernetes-${CLUSTER}-admin-kubeconfig`;

let rig: TenantRig;
let dir: string;
let plugin: string;
let runs = 0;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

before(async () => {
  rig = await startTenantRig({
    staticTokens: { [ALICE_TOKEN]: { user: 'alice', groups: ['cozy-users'] }, [MALLORY_TOKEN]: { user: 'mallory' } },
  });
  await rig.putSecret({ cluster: 'prod' });
  dir = mkdtempSync(join(rig.home, 'direct-'));
  // An exec credential plugin handing out a token: client-node runs it.
  plugin = join(dir, 'token-plugin.cjs');
  writeFileSync(
    plugin,
    "process.stdout.write(JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', status: { token: process.env.PLUGIN_TOKEN } }));\n",
  );
});
after(async () => {
  await rig?.close();
});

interface Cluster {
  server: string;
  'certificate-authority-data'?: string;
  [field: string]: unknown;
}

const management = (): Cluster => ({ server: rig.management.url, 'certificate-authority-data': b64(rig.management.caPem) });

/** A kubeconfig file with one context, `m`: the same name on both paths, so the lines compare as they are. */
function kubeconfig(name: string, user: Record<string, unknown>, cluster: Cluster = management()): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'm', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'm',
    }),
    { mode: 0o600 },
  );
  return file;
}

const execUser = (token: string) => ({
  exec: {
    apiVersion: 'client.authentication.k8s.io/v1',
    command: process.execPath,
    args: [plugin],
    env: [{ name: 'PLUGIN_TOKEN', value: token }],
    interactiveMode: 'Never',
  },
});

/** The same token as a token user (direct) and from an exec plugin (client-node). */
function pair(name: string, token: string, cluster?: Cluster): { direct: string; exec: string } {
  return { direct: kubeconfig(`${name}-token`, { token }, cluster), exec: kubeconfig(`${name}-exec`, execUser(token), cluster) };
}

interface Run extends RunResult {
  /** Module files the ES-module loader resolved. */
  loaded: string[];
  clientNode: boolean;
}

/** `get-token tenant` through context m of `file`, with a fresh token cache (always a miss). */
async function getToken(file: string, extra: string[] = [], cluster = CLUSTER): Promise<Run> {
  const run = join(dir, `run-${++runs}`);
  mkdirSync(run);
  const log = join(run, 'loaded.txt');
  const preload = writeLoadRecorder(run, log);
  const r = await rig.kubecred(
    [
      'get-token',
      'tenant',
      `--management-kubeconfig=${file}`,
      '--management-context=m',
      `--tenant=${TENANT}`,
      `--cluster=${cluster}`,
      ...extra,
    ],
    { env: { NODE_OPTIONS: `--import=${pathToFileURL(preload).href}`, KUBECACHEDIR: join(run, 'cache') } },
  );
  for (const token of TOKENS) {
    assert.ok(!r.stderr.includes(token), `no token on stderr: ${r.stderr}`);
    assert.ok(!r.stdout.includes(token), 'no management token on stdout');
  }
  const loaded = existsSync(log)
    ? readFileSync(log, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split(' ')[1]!)
    : [];
  assert.ok(
    loaded.some((u) => u.endsWith('/bin/kubecred.cjs')),
    `the recorder saw bin/kubecred.cjs load (else it checks nothing): ${loaded.join(', ')}`,
  );
  return { ...r, loaded, clientNode: loaded.some((u) => u.includes('/@kubernetes/client-node/')) };
}

function credentialOf(r: RunResult): { clientCertificateData?: string } {
  assert.equal(r.code, 0, r.stderr);
  return (JSON.parse(r.stdout) as { status: { clientCertificateData?: string } }).status;
}

test('client certificate, token and tokenFile contexts read the Secret with a direct request; @kubernetes/client-node is not loaded', async () => {
  const alice = await rig.management.issueClientCert('alice', ['cozy-users']);
  writeFileSync(join(dir, 'alice.crt'), alice.cert);
  writeFileSync(join(dir, 'alice.key'), alice.key, { mode: 0o600 });
  writeFileSync(join(dir, 'alice.token'), `${ALICE_TOKEN}\n`, { mode: 0o600 });
  const cases: Array<[string, Record<string, unknown>, string, 'x509' | 'token']> = [
    ['cert-data', { 'client-certificate-data': b64(alice.cert), 'client-key-data': b64(alice.key) }, 'client certificate', 'x509'],
    // Relative paths are relative to the kubeconfig file, as kubectl reads them.
    ['cert-files', { 'client-certificate': 'alice.crt', 'client-key': './alice.key' }, 'client certificate', 'x509'],
    ['token', { token: ALICE_TOKEN }, 'token', 'token'],
    ['token-file', { tokenFile: 'alice.token' }, 'tokenFile', 'token'],
  ];
  for (const [name, user, credential, method] of cases) {
    rig.management.resetRequests();
    const r = await getToken(kubeconfig(name, user), ['--verbose']);
    const status = credentialOf(r);
    assert.match(status.clientCertificateData ?? '', /BEGIN CERTIFICATE/, name);
    assert.match(r.stderr, new RegExp(`^kubecred: management context m: ${credential}, read with a direct request$`, 'm'), name);
    assert.match(r.stderr, new RegExp(`^kubecred: read Secret ${SECRET} key admin\\.conf: kubernetes-admin`, 'm'), name);
    assert.equal(
      r.clientNode,
      false,
      `${name}: @kubernetes/client-node was loaded: ${r.loaded.filter((u) => u.includes('client-node'))[0]}`,
    );
    assert.deepEqual(
      rig.management.requests.map((q) => [q.method, q.path, q.status, q.authMethod, q.user?.username]),
      [['GET', `/api/v1/namespaces/tenant-${TENANT}/secrets/kubernetes-${CLUSTER}-admin-kubeconfig`, 200, method, 'alice']],
      name,
    );
  }
});

test('an exec management context still goes through @kubernetes/client-node, and works', async () => {
  rig.management.resetRequests();
  const r = await getToken(kubeconfig('exec', execUser(ALICE_TOKEN)), ['--verbose']);
  assert.match(credentialOf(r).clientCertificateData ?? '', /BEGIN CERTIFICATE/);
  assert.match(r.stderr, /^kubecred: management context m: an exec plugin, read with @kubernetes\/client-node$/m);
  assert.equal(r.clientNode, true, 'the recorder sees client-node when it is loaded');
  assert.equal(rig.management.requests.length, 1);
  assert.equal(rig.management.requests[0]!.authMethod, 'token');
  assert.equal(rig.management.requests[0]!.user?.username, 'alice');
  // And the contexts the direct request does not cover: a proxy-url, an auth-provider, impersonation.
  const proxied = await getToken(kubeconfig('proxied', { token: ALICE_TOKEN }, { ...management(), 'proxy-url': 'http://127.0.0.1:1' }), [
    '--verbose',
  ]);
  assert.match(proxied.stderr, /^kubecred: management context m: a proxy-url, read with @kubernetes\/client-node$/m);
  assert.equal(proxied.clientNode, true);
  assert.equal(proxied.code, 1);
});

/** Runs both files; both fail with exactly one line, the same one; the direct one without client-node. */
async function sameLine(files: { direct: string; exec: string }, pattern: RegExp, cluster = CLUSTER): Promise<string> {
  const [direct, exec] = [await getToken(files.direct, [], cluster), await getToken(files.exec, [], cluster)];
  for (const [path, r] of [
    ['direct', direct],
    ['client-node', exec],
  ] as const) {
    assert.equal(r.code, 1, `${path}: exit 1: ${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr.trim().split('\n').length, 1, `${path}: one line: ${r.stderr}`);
    assert.match(r.stderr.trim(), pattern, path);
  }
  assert.equal(direct.clientNode, false, 'the direct run did not load client-node');
  assert.equal(exec.clientNode, true, 'the exec run did');
  assert.equal(direct.stderr, exec.stderr, 'the same line on both paths');
  return direct.stderr.trim();
}

test('403, 404, 401: the same line on both paths', async () => {
  await sameLine(
    pair('mallory', MALLORY_TOKEN),
    /^kubecred: identity mallory cannot get secrets in tenant-acme: ask the platform admin for access to tenant-acme or use another --management-context$/,
  );
  await sameLine(
    pair('alice', ALICE_TOKEN),
    /^kubecred: Secret kubernetes-staging-admin-kubeconfig not found in namespace tenant-acme \(management context m\): tenant acme has clusters dev, prod; check --tenant and --cluster$/,
    'staging',
  );
  await sameLine(
    pair('unknown', UNKNOWN_TOKEN),
    new RegExp(
      `^kubecred: the management cluster ${rig.management.url.replace(/\./g, '\\.')} refused the credential of context m \\(401 Unauthorized\\): log in again \\(kubecred login --context m\\) or fix that context$`,
    ),
  );
});

test('unreachable and a wrong CA: the same line on both paths, naming the address', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createNetServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as AddressInfo).port;
      s.close(() => resolve(p));
    });
  });
  const gone = { server: `https://127.0.0.1:${port}`, 'certificate-authority-data': b64(rig.management.caPem) };
  await sameLine(
    pair('gone', ALICE_TOKEN, gone),
    new RegExp(`^kubecred: the management cluster https://127\\.0\\.0\\.1:${port} \\(context m\\) is unreachable: ECONNREFUSED: `),
  );
  const other = await createCa('some-other-ca');
  const line = await sameLine(
    pair('wrong-ca', ALICE_TOKEN, { server: rig.management.url, 'certificate-authority-data': b64(other.caPem) }),
    /^kubecred: TLS verification of the management cluster https:\/\/127\.0\.0\.1:\d+ \(context m\) failed \([A-Z_]+\): the cluster's certificate-authority\(-data\) in the kubeconfig did not sign its certificate: /,
  );
  assert.ok(line.includes(rig.management.url));
});

test('a server that answers something else: not a Secret, its messages scrubbed of the token, the same line on both paths', async () => {
  const ca = await createCa('hostile-ca');
  const serving = await ca.issueServerCert();
  let answer: { status: number; type: string; body: string } = { status: 200, type: 'application/json', body: '{}' };
  const seen: string[] = [];
  const server = createHttpsServer({ cert: serving.cert, key: serving.key }, (req, res) => {
    seen.push(String(req.headers.authorization));
    res.writeHead(answer.status, { 'content-type': answer.type });
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const files = pair('hostile', ALICE_TOKEN, { server: url, 'certificate-authority-data': b64(ca.caPem) });
    const notSecret = new RegExp(`^kubecred: the management cluster sent something that is not a Secret for ${SECRET}$`);
    answer = { status: 200, type: 'application/json', body: JSON.stringify({ kind: 'ConfigMap', metadata: { name: 7 } }) };
    await sameLine(files, notSecret);
    answer = { status: 200, type: 'text/html', body: '<html>login</html>' };
    await sameLine(files, notSecret);
    // A server echoing the token it was sent (and a terminal escape sequence) in its Status message.
    const status = (code: number, message: string) =>
      JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason: 'x', code });
    answer = { status: 500, type: 'application/json', body: status(500, `etcdserver: leader changed ${ALICE_TOKEN} \u001b[31mred`) };
    await sameLine(
      files,
      new RegExp(
        `^kubecred: the management cluster ${url.replace(/\./g, '\\.')} answered 500 \\(etcdserver: leader changed \\[redacted\\] red\\) reading secrets in tenant-acme$`,
      ),
    );
    answer = {
      status: 403,
      type: 'application/json',
      body: status(403, `secrets is forbidden: User "${ALICE_TOKEN}" cannot get resource "secrets"`),
    };
    await sameLine(files, /^kubecred: identity \[redacted\] cannot get secrets in tenant-acme: /);
    assert.ok(seen.length >= 8 && seen.every((h) => h === `Bearer ${ALICE_TOKEN}`), 'both paths sent the token as a bearer header');
  } finally {
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }
});

test('a token context never shows its token: --verbose runs, success and failure', async () => {
  for (const file of [kubeconfig('verbose-ok', { token: ALICE_TOKEN }), kubeconfig('verbose-401', { token: UNKNOWN_TOKEN })]) {
    // getToken asserts that no token is on stderr or stdout.
    const r = await getToken(file, ['--verbose']);
    assert.match(r.stderr, /^kubecred: management context m: token, read with a direct request$/m);
  }
});
