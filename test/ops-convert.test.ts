// convert-kubeconfig end to end: kubeconfigs in the shapes people have (legacy auth-provider oidc
// with a refresh token, Mia-Platform's kubelogin recipe with kubelogin's token cache, Cozystack's
// kubeconfig Secret exec line, client-keystone-auth with OS_* env) are converted, and the real
// kubectl keeps working against the fixtures with no new login.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findKubectl, requireKubectl } from './fixtures/kubectl.js';
import { authCodeFlow } from './fixtures/oidc-client.js';
import { kubecredBin } from './helpers/cli.js';
import { SECRET_VALUE, startOidcRig, type OidcRig } from './helpers/oidc/rig.js';
import { keystoneAvailable } from './fixtures/keystone.js';
import { newHome, startRig } from './helpers/keystone/rig.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function kubeconfigYaml(rig: { api: { url: string; caPem: string } }, user: string, userBody: string, context = 'team'): string {
  return [
    'apiVersion: v1',
    'kind: Config',
    '# clusters kept as the platform handed them out',
    'clusters:',
    `- name: ${context}`,
    '  cluster:',
    `    server: ${rig.api.url}`,
    `    certificate-authority-data: ${b64(rig.api.caPem)}`,
    'contexts:',
    `- name: ${context}`,
    '  context:',
    `    cluster: ${context}`,
    `    user: ${user}`,
    'users:',
    `- name: ${user} # the user entry convert rewrites`,
    '  user:',
    userBody,
    `current-context: ${context}`,
    '',
  ].join('\n');
}

function envFor(rig: OidcRig): Record<string, string> {
  return { ...rig.env, KUBECTL: findKubectl()?.path ?? 'kubectl' };
}

async function refreshTokenFor(rig: OidcRig, scope = 'openid groups offline_access'): Promise<{ refresh: string; id: string }> {
  const { tokens } = await authCodeFlow(rig.idp, { username: 'alice', password: 'alice-password' }, { scope });
  assert.ok(tokens.refresh_token, 'the IdP issued a refresh token');
  return { refresh: tokens.refresh_token!, id: tokens.id_token! };
}

function assertNoLogin(rig: OidcRig): void {
  assert.equal(rig.browserCalls(), 0, 'no browser was opened');
  assert.equal(rig.idp.counts.token_by_grant.authorization_code ?? 0, 0, 'no new login');
  assert.equal(rig.idp.counts.token_by_grant.refresh_token, 1, 'one refresh with the adopted refresh token');
}

test('auth-provider oidc with a refresh token: converted, the refresh token moves to the secret store, kubectl works without a login', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const { refresh, id } = await refreshTokenFor(rig);
  writeFileSync(
    rig.kubeconfig,
    kubeconfigYaml(
      rig,
      'alice-oidc',
      [
        '    auth-provider:',
        '      name: oidc',
        '      config:',
        `        idp-issuer-url: ${rig.idp.issuer}`,
        `        client-id: ${rig.idp.publicClientId}`,
        '        extra-scopes: groups',
        `        id-token: ${id}`,
        `        refresh-token: ${refresh}`,
      ].join('\n'),
    ),
    { mode: 0o600 },
  );
  const before = readFileSync(rig.kubeconfig, 'utf8');
  const r = await rig.kubecred(['convert-kubeconfig', '--exec-command', kubecredBin], { env: envFor(rig) });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /✔ user "alice-oidc" \(context team\): auth-provider oidc → kubecred get-token oidc/);
  assert.match(r.stdout, /moved the refresh token into the secret store/);
  const after = readFileSync(rig.kubeconfig, 'utf8');
  assert.ok(!after.includes(refresh) && !after.includes(id), 'no token is left in the kubeconfig');
  assert.match(after, /# the user entry convert rewrites/, 'comments stay');
  assert.match(after, /# clusters kept as the platform handed them out/);
  assert.match(after, /- get-token\n\s+- oidc\n\s+- --issuer-url=/);
  const backups = readdirSync(join(rig.home, '.kube')).filter((n) => n.startsWith('config.kubecred-backup-'));
  assert.equal(backups.length, 1);
  const backup = join(rig.home, '.kube', backups[0]!);
  assert.equal(readFileSync(backup, 'utf8'), before);
  assert.equal(statSync(backup).mode & 0o777, 0o600);

  rig.idp.resetCounts();
  const read = await rig.readSecret();
  assert.equal(read.value, SECRET_VALUE, read.stderr);
  assertNoLogin(rig);
  assert.equal(rig.api.requests.at(-1)!.user!.username, `${rig.idp.issuer}#alice`);
});

test("Mia-Platform's kubelogin recipe: kubelogin's cached refresh token is adopted, kubectl works without a login", async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const { refresh, id } = await refreshTokenFor(rig, 'openid groups profile email offline_access');
  // kubelogin's cache: ~/.kube/cache/oidc-login/<sha256> = {id_token, refresh_token}, 0600 in 0700.
  const kubeloginDir = join(rig.env.KUBECACHEDIR!, 'oidc-login');
  mkdirSync(kubeloginDir, { recursive: true, mode: 0o700 });
  writeFileSync(join(kubeloginDir, 'a'.repeat(64)), JSON.stringify({ id_token: id, refresh_token: refresh }), { mode: 0o600 });
  writeFileSync(join(kubeloginDir, 'a'.repeat(64) + '.lock'), '', { mode: 0o600 });
  const cluster = 'mia-prod';
  const lines = [
    '    exec:',
    '      apiVersion: client.authentication.k8s.io/v1beta1',
    '      command: kubectl',
    '      args:',
    '      - oidc-login',
    '      - get-token',
    `      - --oidc-issuer-url=${rig.idp.issuer}`,
    `      - --oidc-client-id=${rig.idp.publicClientId}`,
    ...['groups', 'openid', 'profile', 'email', 'offline_access'].map((s) => `      - --oidc-extra-scope=${s}`),
    '      env: null',
    '      interactiveMode: IfAvailable',
    '      provideClusterInfo: false',
  ];
  writeFileSync(rig.kubeconfig, kubeconfigYaml(rig, `login-${cluster}`, lines.join('\n'), cluster), { mode: 0o600 });

  const dry = await rig.kubecred(['convert-kubeconfig', '--dry-run', '--exec-command', kubecredBin], { env: envFor(rig) });
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, /^--- .*config \(now\)\n\+\+\+ .*config \(converted\)\n@@ /);
  assert.match(dry.stdout, /^-\s+- oidc-login$/m);
  assert.match(dry.stdout, /^\+\s+- --issuer-url=/m);
  assert.match(dry.stderr, /dry run: nothing was written/);
  assert.equal(readdirSync(join(rig.home, '.kube')).filter((n) => n.includes('backup')).length, 0, 'a dry run writes no backup');

  const r = await rig.kubecred(['convert-kubeconfig', '--context', cluster, '--exec-command', kubecredBin], { env: envFor(rig) });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /kubectl oidc-login get-token → kubecred get-token oidc/);
  assert.match(r.stdout, /took kubelogin's cached refresh token/);
  const after = readFileSync(rig.kubeconfig, 'utf8');
  assert.match(after, /apiVersion: client\.authentication\.k8s\.io\/v1beta1/, 'the exec apiVersion the old kubectl understood stays');
  assert.match(after, /name: login-mia-prod/);

  rig.idp.resetCounts();
  const read = await rig.readSecret();
  assert.equal(read.value, SECRET_VALUE, read.stderr);
  assertNoLogin(rig);
});

test("Cozystack's kubeconfig Secret exec line, and kubelogin secrets: --oidc-client-secret and --password move to the secret store; an unknown flag leaves its entry alone", async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const exec = (args: string[]) =>
    [
      '    exec:',
      '      apiVersion: client.authentication.k8s.io/v1beta1',
      '      command: kubectl',
      '      args:',
      ...args.map((a) => `      - ${a}`),
    ].join('\n');
  const doc = [
    kubeconfigYaml(
      rig,
      'tenant-root',
      exec([
        'oidc-login',
        'get-token',
        `--oidc-issuer-url=${rig.idp.issuer}`,
        '--oidc-client-id=kubernetes',
        '--skip-open-browser',
        '--oidc-use-pkce',
        '-v1',
      ]),
    ).trimEnd(),
  ].join('\n');
  // A second user with secrets in its args, and a third with a flag kubecred does not know.
  const extra = [
    '- name: ropc',
    '  user:',
    exec([
      'oidc-login',
      'get-token',
      `--oidc-issuer-url=${rig.idp.issuer}`,
      '--oidc-client-id=kubecred-ci',
      '--oidc-client-secret=kubecred-ci-secret',
      '--grant-type=password',
      '--username=alice',
      '--password=alice-password',
    ]),
    '- name: odd',
    '  user:',
    exec(['oidc-login', 'get-token', `--oidc-issuer-url=${rig.idp.issuer}`, '--oidc-client-id=kubernetes', '--tls-renegotiation-once']),
  ].join('\n');
  writeFileSync(rig.kubeconfig, doc.replace(/\ncurrent-context:/, `\n${extra}\ncurrent-context:`) + '\n', { mode: 0o600 });
  const r = await rig.kubecred(['convert-kubeconfig', '--all', '--exec-command', kubecredBin], { env: envFor(rig) });
  assert.equal(r.code, 1, 'a user left alone is an error for scripts');
  assert.match(r.stdout, /✔ user "tenant-root" \(context team\): kubectl oidc-login get-token → kubecred get-token oidc/);
  assert.match(r.stdout, /dropped --oidc-use-pkce/);
  assert.match(r.stdout, /dropped logging flags -v1/);
  assert.match(
    r.stdout,
    /✔ user "ropc": .*\n.*moved --oidc-client-secret into the secret store \(client_secret\)\n.*moved --password into the secret store \(password\)/,
  );
  assert.match(
    r.stdout,
    /✘ user "odd": kubectl oidc-login get-token: flag --tls-renegotiation-once is not understood by kubecred; left as it was/,
  );
  assert.match(r.stderr, /some users were left as they were/);
  const after = readFileSync(rig.kubeconfig, 'utf8');
  assert.ok(!after.includes('kubecred-ci-secret') && !after.includes('alice-password'), 'secrets left the kubeconfig');
  assert.match(after, /- --tls-renegotiation-once/, 'the refused entry is unchanged');
  assert.match(after, /- --skip-open-browser/);
  const secretsDir = join(rig.cacheDir, 'secrets');
  const stored = readdirSync(secretsDir)
    .filter((n) => !n.startsWith('.'))
    .map((n) => readFileSync(join(secretsDir, n), 'utf8'));
  assert.ok(stored.includes('kubecred-ci-secret') && stored.includes('alice-password'));

  // The converted password-grant user now logs in with the stored secrets alone.
  const args = after
    .split('\n- name: ropc')[1]!
    .split('\n- name: odd')[0]!
    .split('\n')
    .filter((l) => /^\s+- /.test(l))
    .map((l) => l.replace(/^\s+- /, ''));
  const got = await rig.kubecred(args, { env: envFor(rig) });
  assert.equal(got.code, 0, got.stderr);
  assert.match(got.stdout, /"kind":"ExecCredential"/);
});

test('client-keystone-auth with OS_* env and OS_PASSWORD: the password leaves the kubeconfig, kubectl works without a prompt', async (t) => {
  if (!requireKubectl(t)) return;
  if (!keystoneAvailable()) {
    t.skip('keystone is not installed');
    return;
  }
  const rig = await startRig();
  t.after(() => rig.close());
  const home = newHome();
  const alice = rig.cv.alice;
  const env = [
    ['OS_AUTH_URL', rig.proxy.url],
    ['OS_USERNAME', alice.name],
    ['OS_PASSWORD', alice.password],
    ['OS_PROJECT_NAME', rig.cv.project.name],
    ['OS_USER_DOMAIN_NAME', alice.domain],
    ['OS_PROJECT_DOMAIN_NAME', alice.domain],
    ['OS_REGION_NAME', 'RegionOne'],
    ['OS_IDENTITY_API_VERSION', '3'],
  ];
  const body = [
    '    exec:',
    '      apiVersion: client.authentication.k8s.io/v1beta1',
    '      command: /usr/local/bin/client-keystone-auth',
    '      args: []',
    '      env:',
    ...env.flatMap(([n, v]) => [`      - name: ${n}`, `        value: ${JSON.stringify(v)}`]),
  ].join('\n');
  writeFileSync(home.kubeconfig, kubeconfigYaml(rig, 'keystone-alice', body, 'cms'), { mode: 0o600 });
  const r = await home.kubecred(['convert-kubeconfig', '--exec-command', home.execCommand], undefined, {
    KUBECTL: findKubectl()?.path ?? 'kubectl',
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /client-keystone-auth → kubecred get-token keystone/);
  assert.match(r.stdout, /moved OS_PASSWORD out of the kubeconfig into the secret store/);
  const after = readFileSync(home.kubeconfig, 'utf8');
  assert.ok(!after.includes(alice.password.slice(0, 10)), 'the password left the kubeconfig');
  assert.match(after, /--auth-url=/);
  assert.equal(home.storedSecret('password'), alice.password);
  const got = await home.kubectl(['get', 'namespaces', '-o', 'name']);
  assert.equal(got.code, 0, got.stderr);
  assert.equal(rig.api.requests.at(-1)!.user!.username, alice.name);
  // whoami reads the Keystone entry the conversion's first kubectl run cached.
  const who = await home.kubecred(['whoami']);
  assert.equal(who.code, 0, who.stderr);
  assert.match(who.stdout, /^provider: +keystone$/m);
  assert.match(who.stdout, new RegExp(`^user: +${alice.name}$`, 'm'));
  assert.match(who.stdout, new RegExp(`^domain: +${alice.domain}$`, 'm'));
  assert.match(who.stdout, new RegExp(`^project: +${rig.cv.project.name}$`, 'm'));
  assert.match(who.stdout, new RegExp(`^source: +${rig.proxy.url}`, 'm'));
});
