// `setup-context --runtime bun`: Bun runs the cache-hit path (bin/kubecred.cjs, unchanged) and
// hands any miss to Node with the same argv. Needs Bun: CI installs the npm package `bun` into a
// temp prefix and sets KUBECRED_TEST_BUN; elsewhere `bun` on PATH, else the tests are skipped.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { kubecredBin, repoRoot } from './helpers/cli.js';
import { startApiServer } from './fixtures/apiserver.js';
import { requireKubectl, runKubectl } from './fixtures/kubectl.js';
import { writeEntry } from '../src/store/token-cache.js';
import { cacheKey } from '../src/store/cache-key.js';
import { providerModules } from '../src/providers/registry.js';
import { parseFlags } from '../src/exec/flags.js';

function findBun(): string | undefined {
  if (process.env.KUBECRED_TEST_BUN) return process.env.KUBECRED_TEST_BUN;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir && existsSync(join(dir, 'bun'))) return join(dir, 'bun');
  return undefined;
}
const bun = findBun();
const skip = bun ? false : 'no Bun: set KUBECRED_TEST_BUN or put bun on PATH (.ci/run installs the npm package bun into a temp prefix)';

const V1 = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', spec: { interactive: false } });
const args = ['get-token', 'oidc', '--issuer-url=https://idp.example/realms/cozy', '--client-id=kubernetes', '--extra-scope=groups'];

const homes: string[] = [];
after(() => {
  for (const dir of homes) rmSync(dir, { recursive: true, force: true });
});

function home() {
  const root = mkdtempSync(join(tmpdir(), 'kubecred-bun-'));
  homes.push(root);
  const cacheBase = join(root, 'cache');
  const oidc = providerModules.find((m) => m.kind === 'oidc')!;
  const identity = oidc.identity(parseFlags(oidc.getTokenFlags, args.slice(2)).values);
  const write = (credential: { token: string } | { clientCertificateData: string; clientKeyData: string }, expiresInMs = 3600_000) =>
    writeEntry(join(cacheBase, 'kubecred'), cacheKey(identity), {
      v: 1,
      provider: 'oidc',
      identity,
      storage: 'disk',
      expiresAt: new Date(Date.now() + expiresInMs).toISOString(),
      obtainedAt: new Date().toISOString(),
      credential,
    });
  const env = { PATH: process.env.PATH, HOME: root, KUBECACHEDIR: cacheBase, KUBERNETES_EXEC_INFO: V1 };
  return { root, env, write };
}

/** A "node" that records that it ran, then is Node. */
function recordingNode(root: string): { path: string; log: string } {
  const log = join(root, 'node-ran.log');
  const path = join(root, 'node');
  writeFileSync(path, `#!/bin/sh\necho "$@" >> '${log}'\nexec '${process.execPath}' "$@"\n`);
  chmodSync(path, 0o755);
  return { path, log };
}

test('a cache hit under Bun prints exactly what Node prints, from bin/kubecred.cjs alone', { skip }, () => {
  const h = home();
  // The hit path alone, copied where no node_modules and no full CLI exist.
  mkdirSync(join(h.root, 'bin'));
  copyFileSync(join(repoRoot, 'bin', 'kubecred.cjs'), join(h.root, 'bin', 'kubecred.cjs'));
  const lonely = join(h.root, 'bin', 'kubecred.cjs');
  const node = recordingNode(h.root);
  for (const credential of [
    { token: 'cached-id-token' },
    {
      clientCertificateData: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
      clientKeyData: '-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\n',
    },
  ]) {
    h.write(credential);
    // The full CLI answers first and keeps the hit record the lonely bin then answers from.
    const first = spawnSync(process.execPath, [kubecredBin, ...args], { env: h.env, encoding: 'utf8' });
    assert.equal(first.status, 0, first.stderr);
    const underBun = spawnSync(bun!, [lonely, ...args], { env: { ...h.env, KUBECRED_NODE: node.path }, encoding: 'utf8' });
    const underNode = spawnSync(process.execPath, [lonely, ...args], { env: h.env, encoding: 'utf8' });
    assert.equal(underBun.status, 0, underBun.stderr);
    assert.equal(underBun.stderr, '');
    assert.equal(underBun.stdout, underNode.stdout);
    assert.deepEqual(
      JSON.parse(underBun.stdout).status.token ?? JSON.parse(underBun.stdout).status.clientCertificateData,
      'token' in credential ? credential.token : credential.clientCertificateData,
    );
  }
  assert.equal(existsSync(node.log), false, 'a hit never starts Node');
});

test('a miss under Bun re-runs the same argv under Node (KUBECRED_NODE), with its output and exit code', { skip }, () => {
  const h = home();
  const node = recordingNode(h.root);
  h.write({ token: 'expired' }, -60_000);
  // Expired, not interactive, an IdP that cannot be reached: the full CLI's one-line error, exit 1.
  const miss = ['get-token', 'oidc', '--issuer-url=https://127.0.0.1:1/realms/none', '--client-id=kubernetes'];
  const underBun = spawnSync(bun!, [kubecredBin, ...miss], {
    env: { ...h.env, KUBECRED_NODE: node.path, DBUS_SESSION_BUS_ADDRESS: '' },
    encoding: 'utf8',
  });
  const underNode = spawnSync(process.execPath, [kubecredBin, ...miss], {
    env: { ...h.env, DBUS_SESSION_BUS_ADDRESS: '' },
    encoding: 'utf8',
  });
  assert.equal(underBun.status, underNode.status);
  assert.notEqual(underBun.status, 0);
  assert.equal(underBun.stdout, '');
  assert.equal(underBun.stderr.trim().split('\n').at(-1), underNode.stderr.trim().split('\n').at(-1));
  const ran = readFileSync(node.log, 'utf8').trim().split('\n');
  assert.equal(ran.length, 1);
  assert.ok(ran[0]!.endsWith(miss.join(' ')), ran[0]);

  // Usage errors keep their exit code 2, help its output.
  const usage = spawnSync(bun!, [kubecredBin, 'get-token', 'no-such-provider'], {
    env: { ...h.env, KUBECRED_NODE: node.path },
    encoding: 'utf8',
  });
  assert.equal(usage.status, spawnSync(process.execPath, [kubecredBin, 'get-token', 'no-such-provider'], { env: h.env }).status);
  const help = spawnSync(bun!, [kubecredBin, '--help'], { env: { ...h.env, KUBECRED_NODE: node.path }, encoding: 'utf8' });
  assert.equal(help.stdout, spawnSync(process.execPath, [kubecredBin, '--help'], { env: h.env, encoding: 'utf8' }).stdout);
});

test('under Bun without a usable Node: one line that says what to do, exit 1', { skip }, () => {
  const h = home();
  const r = spawnSync(bun!, [kubecredBin, '--version'], {
    env: { HOME: h.root, PATH: join(h.root, 'empty'), KUBECRED_NODE: join(h.root, 'gone') },
    encoding: 'utf8',
  });
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /^kubecred: this context runs kubecred under Bun, .*install Node >= 20 and put it on PATH, or run setup-context again with --runtime node\n$/,
  );
});

test('setup-context --runtime bun: the real kubectl gets its token from Bun, a miss from Node', { skip, timeout: 120_000 }, async (t) => {
  const kubectl = requireKubectl(t);
  if (!kubectl) return;
  const h = home();
  const token = 'bun-static-token-' + 'x'.repeat(20);
  const api = await startApiServer({ staticTokens: { [token]: { user: 'bun-user' } } });
  t.after(() => api.close());
  // bun on PATH for setup-context (auto picks it) and for kubectl (it runs `bun …`).
  const bunDir = join(h.root, 'bun-bin');
  mkdirSync(bunDir);
  writeFileSync(join(bunDir, 'bun'), `#!/bin/sh\necho bun >> '${join(h.root, 'bun-ran.log')}'\nexec '${bun}' "$@"\n`);
  chmodSync(join(bunDir, 'bun'), 0o755);
  const node = recordingNode(h.root);
  const env = { ...h.env, PATH: `${bunDir}${delimiter}${process.env.PATH}`, KUBERNETES_EXEC_INFO: undefined };
  const kubeconfig = join(h.root, 'kubeconfig');
  const setup = spawnSync(
    process.execPath,
    [
      kubecredBin,
      'setup-context',
      'oidc',
      '--context',
      'bun',
      '--server',
      api.url,
      '--certificate-authority-data',
      Buffer.from(api.caPem).toString('base64'),
      '--kubeconfig',
      kubeconfig,
      '--use',
      '--runtime',
      'auto',
      ...args.slice(2),
    ],
    { env, encoding: 'utf8' },
  );
  assert.equal(setup.status, 0, setup.stderr);
  assert.match(setup.stderr, /^runtime: bun /m);
  const config = readFileSync(kubeconfig, 'utf8');
  assert.match(config, /command: bun\n/);
  assert.match(config, /name: KUBECRED_NODE\n\s+value: /);

  // The first command after a login: Bun hands it to Node, which answers from the entry and keeps
  // the hit record; from then on Bun alone answers, and Node never starts.
  // The exec entry's Node becomes one that logs each start.
  writeFileSync(kubeconfig, config.replace(/(name: KUBECRED_NODE\n\s+value: ).*/, `$1${node.path}`));
  h.write({ token });
  const first = await runKubectl(['get', '--raw', '/version'], { kubeconfig, env, kubectl: kubectl.path });
  assert.equal(first.code, 0, first.stderr);
  assert.equal(readFileSync(node.log, 'utf8').trim().split('\n').length, 1, 'the first command: Bun handed it to Node');
  rmSync(node.log);
  rmSync(join(h.root, 'bun-ran.log'));
  const hit = await runKubectl(['get', '--raw', '/version'], { kubeconfig, env, kubectl: kubectl.path });
  assert.equal(hit.code, 0, hit.stderr);
  assert.equal(api.requestsBy('bun-user').length > 0, true);
  assert.equal(readFileSync(join(h.root, 'bun-ran.log'), 'utf8').trim(), 'bun');
  assert.equal(existsSync(node.log), false, 'then Bun alone answers from the hit record');

  // A miss: the exec entry's KUBECRED_NODE (the Node that ran setup-context) takes over; here the
  // expired entry cannot be refreshed (no IdP), so kubectl reports kubecred's own error.
  h.write({ token }, -60_000);
  const miss = await runKubectl(['get', '--raw', '/version'], { kubeconfig, env, kubectl: kubectl.path });
  assert.notEqual(miss.code, 0);
  assert.match(miss.stderr, /kubecred: /);
});
