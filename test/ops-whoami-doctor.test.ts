// whoami and doctor against the real fixtures: an IdP whose tokens carry MOSK-style roles and
// Cozystack groups, an API server with an RBAC model and the self-review endpoints, and faults
// injected one at a time (clock skew, a 0644 cache file, an unreachable IdP, a missing exec
// command, an identity without a role in the namespace).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { findKubectl, requireKubectl } from './fixtures/kubectl.js';
import { startApiServer } from './fixtures/apiserver.js';
import type { RbacBinding } from './fixtures/apiserver-reviews.js';
import { kubecredBin } from './helpers/cli.js';
import { startOidcRig, type OidcRig } from './helpers/oidc/rig.js';
import { selfSubjectReview } from '../src/usecases/whoami.js';
import { explainRole } from '../src/usecases/role-explanations.js';
import { matchMiaProfile } from '../src/usecases/access-profile.js';

const READ = ['get', 'list', 'watch'];
/** Mia-Platform's Developer role as RBAC rules. */
const DEVELOPER_RULES = [
  {
    verbs: READ,
    apiGroups: [''],
    resources: [
      'pods',
      'pods/log',
      'configmaps',
      'events',
      'limitranges',
      'namespaces',
      'persistentvolumeclaims',
      'resourcequotas',
      'services',
    ],
  },
  { verbs: READ, apiGroups: ['apps'], resources: ['daemonsets', 'deployments', 'replicasets', 'statefulsets'] },
  { verbs: READ, apiGroups: ['batch'], resources: ['cronjobs', 'jobs'] },
  { verbs: READ, apiGroups: ['metrics.k8s.io'], resources: ['pods'] },
  { verbs: ['create'], apiGroups: [''], resources: ['pods/exec', 'pods/portforward'] },
  { verbs: ['list', 'watch'], apiGroups: [''], resources: ['secrets'] },
];
const RBAC: RbacBinding[] = [{ groups: ['developers'], namespace: 'default', rules: DEVELOPER_RULES }];
const ROLES = ['m:kaas@reader', 'm:k8s:team-a:prod@cluster-admin'];

async function rigWithRoles(): Promise<OidcRig> {
  return startOidcRig({
    idp: {
      scopeClaims: { roles: ['iam_roles', 'realm_access'] },
      accounts: {
        alice: {
          password: 'alice-password',
          email: 'alice@example.com',
          groups: ['developers', 'tenant-team-a-view'],
          extraClaims: { iam_roles: ROLES, realm_access: { roles: ['m:sl:team-a:prod@admin'] } },
        },
      },
    },
    reviews: { rbac: RBAC },
  });
}

/** A kubeconfig with several contexts on the rig's cluster: ok (default), team-a, broken-idp, missing-exec. */
function writeContexts(rig: OidcRig, deadIssuer: string, busyPort = 1): void {
  const args = [
    'get-token',
    'oidc',
    ...rig.getTokenArgs(['--grant-type', 'password', '--username', 'alice', '--extra-scope', 'groups,roles,email,profile']),
  ];
  const exec = (command: string, a: string[]) => ({
    exec: {
      apiVersion: findKubectl()!.minor >= 22 ? 'client.authentication.k8s.io/v1' : 'client.authentication.k8s.io/v1beta1',
      command,
      args: a,
      ...(findKubectl()!.minor >= 22 ? { interactiveMode: 'IfAvailable' } : {}),
    },
  });
  const dead = args.map((a) => (a === rig.idp.issuer ? deadIssuer : a));
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'c', cluster: { server: rig.api.url, 'certificate-authority-data': Buffer.from(rig.api.caPem).toString('base64') } },
    ],
    users: [
      { name: 'alice', user: exec(kubecredBin, args) },
      { name: 'dead', user: exec(kubecredBin, dead) },
      { name: 'gone', user: exec('/nonexistent/bin/kubecred', args) },
      {
        name: 'browser',
        user: exec(kubecredBin, [
          'get-token',
          'oidc',
          '--issuer-url',
          rig.idp.issuer,
          '--client-id',
          rig.idp.publicClientId,
          `--listen-address=127.0.0.1:${busyPort}`,
        ]),
      },
    ],
    contexts: [
      { name: 'ok', context: { cluster: 'c', user: 'alice', namespace: 'default' } },
      { name: 'team-a', context: { cluster: 'c', user: 'alice', namespace: 'team-a' } },
      { name: 'broken-idp', context: { cluster: 'c', user: 'dead' } },
      { name: 'missing-exec', context: { cluster: 'c', user: 'gone' } },
      { name: 'busy-port', context: { cluster: 'c', user: 'browser' } },
    ],
    'current-context': 'ok',
  };
  writeFileSync(rig.kubeconfig, JSON.stringify(config, null, 2), { mode: 0o600 });
}

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

function envOf(rig: OidcRig): Record<string, string> {
  return { ...rig.env, KUBECTL: findKubectl()!.path, KUBECRED_PASSWORD: 'alice-password' };
}

test('whoami: from the cache without network, MOSK roles and Cozystack groups explained; --server and --access ask the cluster', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await rigWithRoles();
  t.after(() => rig.close());
  writeContexts(rig, 'http://127.0.0.1:1');
  const env = envOf(rig);
  const none = await rig.kubecred(['whoami'], { env });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no cached credential for context ok: run kubecred login --context ok/);
  const got = await rig.kubectl(['get', 'namespaces', '-o', 'name'], { KUBECRED_PASSWORD: 'alice-password' });
  assert.equal(got.code, 0, got.stderr);

  rig.idp.resetCounts();
  rig.api.resetRequests();
  const who = await rig.kubecred(['whoami'], { env });
  assert.equal(who.code, 0, who.stderr);
  assert.match(who.stdout, /^provider: +oidc$/m);
  assert.match(who.stdout, new RegExp(`^issuer: +${rig.idp.issuer}$`, 'm'));
  assert.match(who.stdout, /^subject: +alice$/m);
  assert.match(who.stdout, /^email: +alice@example\.com$/m);
  assert.match(who.stdout, /^groups: +developers, tenant-team-a-view$/m);
  assert.match(who.stdout, /^roles: +m:kaas@reader, m:k8s:team-a:prod@cluster-admin, m:sl:team-a:prod@admin$/m);
  assert.match(who.stdout, /^expires: +\S+ \(in \d+m\)$/m);
  assert.match(who.stdout, /m:kaas@reader: MOSK: infrastructure support/);
  assert.match(who.stdout, /m:k8s:team-a:prod@cluster-admin: MOSK: cluster-admin of Kubernetes cluster prod in project team-a/);
  assert.match(who.stdout, /tenant-team-a-view: Cozystack: may look at the resources of tenant tenant-team-a/);
  assert.equal(Object.entries(rig.idp.counts).filter(([k, v]) => k !== 'token_by_grant' && v).length, 0, 'no IdP request');
  assert.equal(rig.api.requests.length, 0, 'no API server request');

  const json = JSON.parse((await rig.kubecred(['whoami', '-o', 'json'], { env })).stdout);
  assert.equal(json.provider, 'oidc');
  assert.deepEqual(json.fields.find(([k]: [string]) => k === 'groups')[1], ['developers', 'tenant-team-a-view']);

  const server = await rig.kubecred(['whoami', '--server', '--access'], { env });
  assert.equal(server.code, 0, server.stderr);
  assert.match(server.stdout, new RegExp(`username: ${rig.idp.issuer}#alice`));
  assert.match(server.stdout, /groups: +developers, tenant-team-a-view, system:authenticated/);
  assert.match(server.stdout, /\(authentication\.k8s\.io\/v1\)/);
  assert.match(server.stdout, /what you may do in namespace default:/);
  assert.match(server.stdout, /^ {2}pods +✔ +✔ +✔ +· +· +· +·$/m);
  assert.match(server.stdout, /^ {2}secrets +· +✔ +✔ +·/m);
  assert.match(server.stdout, /matches the Mia-Platform Developer role/);
});

test('whoami --server falls back to SelfSubjectReview v1beta1 / v1alpha1 and says when the server has none', async () => {
  for (const [versions, expected] of [
    [['v1beta1'], 'authentication.k8s.io/v1beta1'],
    [['v1alpha1'], 'authentication.k8s.io/v1alpha1'],
    [[], undefined],
  ] as const) {
    const api = await startApiServer({
      staticTokens: { tok: { user: 'carol', groups: ['ops'] } },
      reviews: { selfSubjectReviewVersions: [...versions] },
    });
    try {
      const view = await selfSubjectReview({ server: api.url, 'certificate-authority-data': Buffer.from(api.caPem).toString('base64') }, {
        credential: { token: 'tok' },
      } as never);
      assert.equal(view.version, expected);
      if (expected) assert.equal(view.username, 'carol');
      else assert.match(view.problem!, /has no SelfSubjectReview/);
    } finally {
      await api.close();
    }
  }
});

test('role explanations and the Mia-Platform profile match', () => {
  assert.match(explainRole('m:kaas@writer')!, /infrastructure operator/);
  assert.match(explainRole('m:kaas@global-admin')!, /global administrator/);
  assert.match(explainRole('m:kaas:team-b@writer')!, /administers project team-b/);
  assert.match(explainRole('m:kaas:team-b@reader')!, /support member of project team-b/);
  assert.match(explainRole('tenant-root-super-admin')!, /administers tenant tenant-root fully/);
  assert.match(explainRole('tenant-dev-use')!, /use the applications of tenant tenant-dev/);
  assert.equal(explainRole('developers'), undefined);
  assert.equal(matchMiaProfile(DEVELOPER_RULES).role, 'Developer');
  assert.equal(matchMiaProfile([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }]).role, 'Admin');
  const less = matchMiaProfile(DEVELOPER_RULES.slice(1));
  assert.equal(less.role, undefined);
  assert.match(less.line, /Developer would also need get,list,watch configmaps/);
});

test('doctor: all checks pass, then it finds clock skew, a 0644 cache file (and --fix repairs it), an unreachable IdP, a missing exec command, a forbidden identity', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await rigWithRoles();
  t.after(() => rig.close());
  const holder = createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', r));
  t.after(() => holder.close());
  writeContexts(rig, `http://127.0.0.1:${await closedPort()}`, (holder.address() as { port: number }).port);
  const env = envOf(rig);
  assert.equal((await rig.kubectl(['get', 'namespaces', '-o', 'name'], { KUBECRED_PASSWORD: 'alice-password' })).code, 0);

  const good = await rig.kubecred(['doctor'], { env });
  assert.equal(good.code, 0, good.stdout + good.stderr);
  for (const line of [
    /✔ kubeconfig: .* parses/,
    /✔ context: ok \(namespace default\)/,
    /✔ exec command: /,
    /✔ exec apiVersion: /,
    /✔ cache permissions: /,
    /✔ IdP discovery: .*answered \(no proxy variables set\)/,
    /✔ clock: within \d+ s of the IdP/,
    /✔ refresh token: kept in the secret store/,
    /✔ API server: .* answered \(TLS verified\)/,
    /✔ clock: within \d+ s of the API server/,
    /✔ \/version: Kubernetes v1\.32\.0/,
    /✔ credential: accepted/,
    /✔ access: may get pods in default/,
    /all checks passed/,
  ]) {
    assert.match(good.stdout, line);
  }
  const json = JSON.parse((await rig.kubecred(['doctor', '-o', 'json'], { env })).stdout);
  assert.equal(json.ok, true);

  rig.api.setDateOffset(120_000);
  const skew = await rig.kubecred(['doctor'], { env });
  assert.equal(skew.code, 1);
  assert.match(
    skew.stdout,
    /! clock: your clock is 1[12]\d s behind the API server: tokens look expired or not yet valid\n {4}fix: sync the clock/,
  );
  rig.api.setDateOffset(0);
  rig.idp.setDateOffset(-90_000);
  assert.match((await rig.kubecred(['doctor'], { env })).stdout, /! clock: your clock is (89|9\d) s ahead of the IdP/);
  rig.idp.setDateOffset(0);

  const tokenFile = readdirSync(rig.cacheDir).find((n) => n.endsWith('.json'))!;
  chmodSync(join(rig.cacheDir, tokenFile), 0o644);
  const open = await rig.kubecred(['doctor'], { env });
  assert.equal(open.code, 1);
  assert.match(open.stdout, new RegExp(`✘ cache permissions: others may read .*${tokenFile} \\(0644\\)\\n {4}fix: kubecred doctor --fix`));
  const fixed = await rig.kubecred(['doctor', '--fix'], { env });
  assert.match(fixed.stdout, /✔ cache permissions: repaired 1: .* 644 → 600/);
  assert.equal(statSync(join(rig.cacheDir, tokenFile)).mode & 0o777, 0o600);
  assert.equal(fixed.code, 0, fixed.stdout);

  const dead = await rig.kubecred(['doctor', '--context', 'broken-idp'], { env });
  assert.equal(dead.code, 1);
  assert.match(dead.stdout, /✘ IdP discovery: 127\.0\.0\.1:\d+ refused the connection.*\n {4}fix: check the network path to the IdP/);

  const gone = await rig.kubecred(['doctor', '--context', 'missing-exec'], { env });
  assert.equal(gone.code, 1);
  assert.match(
    gone.stdout,
    /✘ exec command: \/nonexistent\/bin\/kubecred does not exist or is not executable\n {4}fix: npm install -g kubecred/,
  );

  const busy = await rig.kubecred(['doctor', '--context', 'busy-port'], { env });
  assert.equal(busy.code, 1);
  assert.match(
    busy.stdout,
    /✘ callback port: 127\.0\.0\.1:\d+ are busy: a browser login cannot receive its callback\n {4}fix: find what holds them/,
  );
  assert.match(busy.stdout, /! refresh token: none kept/);

  const forbidden = await rig.kubecred(['doctor', '--context', 'team-a'], { env });
  assert.equal(forbidden.code, 1);
  assert.match(forbidden.stdout, new RegExp(`✘ access: you are ${rig.idp.issuer}#alice, but have no role in team-a: ask for Developer`));
});
