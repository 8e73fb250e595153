// The management cluster behind a kubecred OIDC context (client-node runs our exec plugin, which logs
// in with the IdP fixture), and --variant oidc: the kubelogin kubeconfig becomes a kubecred context.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { parse, stringify } from 'yaml';
import { startIdp, type IdpHandle } from './fixtures/idp.js';
import { startApiServer, type ApiServerHandle } from './fixtures/apiserver.js';
import { putAdminSecret, oidcKubeconfig, oidcSecretName } from './fixtures/cozystack.js';
import { requireKubectl, runKubectl } from './fixtures/kubectl.js';
import { isolatedHome, kubecredBin, runKubecred } from './helpers/cli.js';

let idp: IdpHandle;
let management: ApiServerHandle;
let tenantApi: ApiServerHandle;
let env: Record<string, string>;
let home: string;

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

before(async () => {
  idp = await startIdp();
  const oidc = { issuerUrl: idp.issuer, clientId: idp.publicClientId, usernameClaim: 'sub', usernamePrefix: '-', groupsClaim: 'groups' };
  management = await startApiServer({ oidc, secretAccess: { users: { alice: ['tenant-acme'] } } });
  tenantApi = await startApiServer({ oidc });
  await putAdminSecret(management, tenantApi, 'acme', 'dev');
  management.putSecret('tenant-acme', oidcSecretName('dev'), {
    kubeconfig: oidcKubeconfig(tenantApi, {
      issuer: idp.issuer,
      clientId: idp.publicClientId,
      extraArgs: ['--grant-type=password', '--username=alice', '--token-cache-dir=~/.kube/cache/oidc-login'],
    }),
  });
  ({ home, env } = isolatedHome('kubecred-tenant-oidc-'));
  writeFileSync(
    env.KUBECONFIG!,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'cozy', cluster: { server: management.url, 'certificate-authority-data': b64(management.caPem) } }],
      users: [
        {
          name: 'cozy-oidc',
          user: {
            exec: {
              apiVersion: 'client.authentication.k8s.io/v1',
              command: kubecredBin,
              interactiveMode: 'IfAvailable',
              args: [
                'get-token',
                'oidc',
                '--issuer-url',
                idp.issuer,
                '--client-id',
                idp.publicClientId,
                '--grant-type',
                'password',
                '--username',
                'alice',
              ],
            },
          },
        },
      ],
      contexts: [{ name: 'cozy', context: { cluster: 'cozy', user: 'cozy-oidc' } }],
      'current-context': 'cozy',
    }),
    { mode: 0o600 },
  );
});
after(async () => {
  await Promise.all([idp?.close(), management?.close(), tenantApi?.close()]);
});

const kubecred = (args: string[], extra: Record<string, string | undefined> = {}) =>
  runKubecred(args, { env: { ...env, ...extra }, timeoutMs: 60_000 });

test('management context is a kubecred OIDC context: client-node runs get-token oidc, which logs in; the next run uses its cache', async (t) => {
  const tokensBefore = idp.counts.token;
  const r = await kubecred(['fetch-kubeconfig', '--tenant', 'acme', '--cluster', 'dev', '--merge'], {
    KUBECRED_PASSWORD: 'alice-password',
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.stderr.includes('alice-password'));
  assert.equal(idp.counts.token, tokensBefore + 1, 'one login');
  const read = management.requests.find((q) => q.path === '/api/v1/namespaces/tenant-acme/secrets/kubernetes-dev-admin-kubeconfig');
  assert.equal(read?.authMethod, 'oidc');
  assert.equal(read?.user?.username, 'alice');
  const again = await kubecred(['fetch-kubeconfig', '--tenant', 'acme', '--cluster', 'dev']);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(idp.counts.token, tokensBefore + 1, 'the cached ID token served the second read');
  if (!requireKubectl(t)) return;
  const v = await runKubectl(['--context', 'acme-dev', 'get', '--raw', '/version'], { kubeconfig: env.KUBECONFIG!, env });
  assert.equal(v.code, 0, v.stderr);
});

test('a failing login of the management context: its message reaches stderr, then one line of ours; exit 1', async () => {
  const r = await kubecred(['fetch-kubeconfig', '--tenant', 'acme', '--cluster', 'dev', '--management-context', 'cozy'], {
    KUBECRED_PASSWORD: 'wrong',
    KUBECACHEDIR: `${home}/other-cache`,
  });
  assert.equal(r.code, 1, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.match(
    lines.at(-1)!,
    /^kubecred: the credential plugin of management context cozy failed \(exit 1\); its message is above: log in with kubecred login --context cozy, then retry$/,
  );
  assert.ok(lines.length >= 2, 'the plugin spoke first');
  assert.ok(!r.stderr.includes('wrong'));
});

test('--variant oidc: the kubelogin user becomes a kubecred get-token oidc exec entry that works with kubectl', async (t) => {
  const r = await kubecred([
    'fetch-kubeconfig',
    '--tenant',
    'acme',
    '--cluster',
    'dev',
    '--variant',
    'oidc',
    '--merge',
    '--as',
    'dev-oidc',
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /left out kubelogin's --token-cache-dir/);
  const config = parse(readFileSync(env.KUBECONFIG!, 'utf8'));
  const user = config.users.find((u: { name: string }) => u.name === 'dev-oidc').user;
  assert.equal(user.exec.command, kubecredBin);
  assert.deepEqual(user.exec.args, [
    'get-token',
    'oidc',
    `--issuer-url=${idp.issuer}`,
    `--client-id=${idp.publicClientId}`,
    '--extra-scope=email',
    '--extra-scope=groups',
    '--grant-type=password',
    '--username=alice',
  ]);
  if (!requireKubectl(t)) return;
  const v = await runKubectl(['--context', 'dev-oidc', 'get', '--raw', '/version'], {
    kubeconfig: env.KUBECONFIG!,
    env: { ...env, KUBECRED_PASSWORD: 'alice-password' },
  });
  assert.equal(v.code, 0, v.stderr);
  const last = tenantApi.requests.at(-1)!;
  assert.equal(last.authMethod, 'oidc');
  assert.equal(last.user?.username, 'alice');
});

test('on a terminal, the login the management context needs asks the person (the exec plugin gets our stdin)', async (t) => {
  const { spawn, execFileSync } = await import('node:child_process');
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
  } catch {
    t.skip('util-linux script(1) is needed for a pseudo-terminal');
    return;
  }
  const cmd = `${process.execPath} ${kubecredBin} fetch-kubeconfig --tenant acme --cluster dev --management-context cozy`;
  const child = spawn('script', ['-qec', cmd, '/dev/null'], {
    env: { ...env, KUBECACHEDIR: `${home}/tty-cache` },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let answered = false;
  const done = new Promise<number | null>((resolve) => child.on('close', resolve));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString('utf8');
    if (!answered && /password/i.test(out)) {
      answered = true;
      child.stdin.write('alice-password\r');
    }
  });
  const code = await done;
  clearTimeout(timer);
  assert.equal(code, 0, out);
  assert.ok(answered, `a password prompt was shown: ${out}`);
  assert.ok(!out.includes('alice-password'), 'the password is not echoed');
  assert.match(out, /kind: Config/);
});
