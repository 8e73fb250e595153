// Drop-in flags end to end: the real kubectl runs exec lines written for kubelogin with only the
// command swapped (kind inferred, klog -v1, --listen-port, --listen-address=0.0.0.0,
// --token-cache-storage=auto), and the fast path answers the next run with the same cache key.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireKubectl } from './fixtures/kubectl.js';
import { SECRET_VALUE, startOidcRig } from './helpers/oidc/rig.js';
import { inferKind, withInferredKind } from '../src/providers/infer-kind.js';
import { oidcGetTokenFlags } from '../src/providers/oidc/flags.js';
import { keystoneGetTokenFlags } from '../src/providers/keystone/flags.js';
import { exposedCallbackWarning } from '../src/providers/oidc/settings.js';
import { createServer } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';

const tables = [
  { kind: 'oidc', flags: oidcGetTokenFlags },
  { kind: 'keystone', flags: keystoneGetTokenFlags },
];

test('get-token without a kind: --oidc-issuer-url means oidc, --keystone-url / --auth-url keystone', () => {
  assert.equal(inferKind(['--oidc-issuer-url=https://i', '--oidc-client-id=k', '-v1', '--logtostderr'], tables), 'oidc');
  assert.equal(inferKind(['--keystone-url', 'https://ks', '--domain-name', 'd', '--user_name=a'], tables), 'keystone');
  assert.equal(inferKind(['--auth-url=https://ks/v3'], tables), 'keystone');
  assert.equal(inferKind(['--no-such-flag'], tables), undefined);
  assert.deepEqual(withInferredKind(['get-token', '--auth-url=x'], tables), ['get-token', 'keystone', '--auth-url=x']);
  assert.deepEqual(withInferredKind(['get-token', 'oidc', '--issuer-url=x'], tables), ['get-token', 'oidc', '--issuer-url=x']);
  assert.deepEqual(withInferredKind(['get-token', '--help'], tables), ['get-token', '--help']);
});

test('a non-loopback callback or redirect URI gets a one-line warning', () => {
  assert.match(
    exposedCallbackWarning({ listenAddresses: [] }, { host: '0.0.0.0', port: 8000, exposed: true })!,
    /listens on 0\.0\.0\.0:8000, reachable from the network/,
  );
  assert.match(
    exposedCallbackWarning({ listenAddresses: [], redirectUrl: 'http://devbox.example:8000/' }, { host: '127.0.0.1', port: 8000 })!,
    /is not this machine/,
  );
  assert.equal(
    exposedCallbackWarning({ listenAddresses: [], redirectUrl: 'http://localhost:8000/' }, { host: '127.0.0.1', port: 8000 }),
    undefined,
  );
});

test('a kubelogin line with the command swapped and no kind: kubectl works, -v1 is verbose, the next run is a fast-path hit', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startOidcRig();
  t.after(() => rig.close());
  // exec args as kubelogin had them, minus `oidc-login`: `get-token --oidc-issuer-url=… -v1 --logtostderr`.
  await rig.useArgs([]);
  const config = JSON.parse(readFileSync(rig.kubeconfig, 'utf8'));
  config.users[0].user.exec.args = [
    'get-token',
    `--oidc-issuer-url=${rig.idp.issuer}`,
    `--oidc-client-id=${rig.idp.publicClientId}`,
    '--grant-type=password',
    '--username=alice',
    '--oidc-extra-scope=groups',
    '-v1',
    '--logtostderr',
    '--token-cache-storage=auto',
  ];
  writeFileSync(rig.kubeconfig, JSON.stringify(config));
  const first = await rig.readSecret({ KUBECRED_PASSWORD: 'alice-password' });
  assert.equal(first.value, SECRET_VALUE, first.stderr);
  assert.match(first.stderr, /kubecred: logging in with password/, '-v1 made it verbose');
  assert.doesNotMatch(first.stderr, /no keyring is reachable/, 'auto falls back to disk without a notice');
  rig.idp.resetCounts();
  // Same argv minus -v1 (verbose runs skip the fast path): the cache key is the same.
  config.users[0].user.exec.args = config.users[0].user.exec.args.filter((a: string) => a !== '-v1');
  writeFileSync(rig.kubeconfig, JSON.stringify(config));
  const second = await rig.readSecret();
  assert.equal(second.value, SECRET_VALUE, second.stderr);
  assert.equal(Object.entries(rig.idp.counts).filter(([k, v]) => k !== 'token_by_grant' && v).length, 0, 'answered from the cache');
});

test('--listen-port (old kubelogin) and --listen-address=0.0.0.0 (container recipe): the browser login works, 0.0.0.0 warns', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  await rig.useArgs([
    '--oidc-issuer-url',
    rig.idp.issuer,
    '--oidc-client-id',
    rig.idp.publicClientId,
    `--listen-port=${port}`,
    '--browser-command',
    rig.browserCommand(),
  ]);
  const viaPort = await rig.readSecret();
  assert.equal(viaPort.value, SECRET_VALUE, viaPort.stderr);
  const log = readFileSync(rig.browserLog, 'utf8');
  assert.match(log, new RegExp(`redirect_uri=http%3A%2F%2Flocalhost%3A${port}`), 'the callback listened on --listen-port');

  await rig.kubecred(['cache', 'reset', '--all']);
  await rig.useArgs([
    '--oidc-issuer-url',
    rig.idp.issuer,
    '--oidc-client-id',
    rig.idp.publicClientId,
    '--listen-address=0.0.0.0:0',
    '--browser-command',
    rig.browserCommand(),
    '--force-refresh',
  ]);
  const exposed = await rig.readSecret();
  assert.equal(exposed.value, SECRET_VALUE, exposed.stderr);
  assert.match(exposed.stderr, /warning: the login callback listens on 0\.0\.0\.0:\d+, reachable from the network/);
});
