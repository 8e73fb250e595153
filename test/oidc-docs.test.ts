// The "after" commands of docs/platforms/{mia-platform,mosk,cozystack}.md, run as written (only the
// placeholders filled in, and `kubecred` on PATH) against the IdP and API server fixtures.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findKubectl, requireKubectl } from './fixtures/kubectl.js';
import { completeLoginAndFollow } from './fixtures/idp-login.js';
import { kubecredBin, repoRoot } from './helpers/cli.js';
import { SECRET_VALUE, startOidcRig, type OidcRig } from './helpers/oidc/rig.js';

/** The first ```bash block after the heading that starts with `heading`. */
function afterBlock(doc: string, heading: string): string {
  const text = readFileSync(join(repoRoot, 'docs', 'platforms', doc), 'utf8');
  const from = text.indexOf(`\n${heading}`);
  assert.ok(from >= 0, `${doc} has a "${heading}" section`);
  const m = /```bash\n([\s\S]*?)```/.exec(text.slice(from));
  assert.ok(m, `${doc}: a bash block after "${heading}"`);
  return m[1]!;
}

/** PATH with `kubecred` (this checkout) and kubectl; a BROWSER that logs in like a person would. */
function shellEnv(rig: OidcRig): Record<string, string> {
  const bin = join(rig.home, 'bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(kubecredBin, join(bin, 'kubecred'));
  const browser = join(bin, 'browser');
  writeFileSync(browser, `#!/bin/sh\nexec ${rig.browserCommand()} "$1"\n`);
  chmodSync(browser, 0o755);
  const kubectl = findKubectl()!.path;
  const kubectlDir = kubectl.includes('/') ? `:${resolve(kubectl, '..')}` : '';
  return { ...rig.env, PATH: `${bin}${kubectlDir}:${rig.env.PATH}`, BROWSER: browser };
}

function bash(
  script: string,
  env: Record<string, string>,
  cwd: string,
  onStderr?: (text: string) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      onStderr?.(stderr);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

/** kubectl trusts the test API server's CA (real clusters have one kubectl already trusts). */
async function trustApiServer(rig: OidcRig, cluster: string): Promise<void> {
  const r = await rig.kubectl([
    'config',
    'set',
    `clusters.${cluster}.certificate-authority-data`,
    Buffer.from(rig.api.caPem).toString('base64'),
  ]);
  assert.equal(r.code, 0, r.stderr);
}

test('Mia-Platform: the one command of the docs, then kubectl', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const script = afterBlock('mia-platform.md', '## After')
    .replace('<CLUSTER_NAME>', 'mia-prod')
    .replace('<CLIENT_ID>', rig.idp.publicClientId)
    .replace('<OIDC_ENDPOINT>', rig.api.url)
    .replace('<OIDC_ISSUER_URL>', rig.idp.issuer);
  const env = shellEnv(rig);
  const r = await bash(script, env, rig.home);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /user "login-mia-prod": added/);
  assert.match(r.stdout, /logged in to context mia-prod as alice/);
  assert.match(r.stdout, /groups: developers, kube-admins/);
  assert.match(readFileSync(rig.kubeconfig, 'utf8'), /command: kubecred\n/);
  await trustApiServer(rig, 'mia-prod');
  const secret = await rig.readSecret({ PATH: env.PATH });
  assert.equal(secret.value, SECRET_VALUE, secret.stderr);
  assert.equal(rig.browserCalls(), 1);
});

test('MOSK: password grant as in the docs', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startOidcRig();
  t.after(() => rig.close());
  writeFileSync(join(rig.home, 'mosk-ca.crt'), rig.api.caPem);
  const script = afterBlock('mosk.md', '## After')
    .replace('<ISSUER_URL>', rig.idp.issuer)
    .replace('<CLIENT_ID>', rig.idp.publicClientId)
    .replace('<YOUR_USER>', 'bob')
    .replace('<API_SERVER_URL>', rig.api.url);
  const env = shellEnv(rig);
  const r = await bash(script, { ...env, KUBECRED_PASSWORD: 'bob-password' }, rig.home);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /logged in to context mosk as bob/);
  const secret = await rig.readSecret({ PATH: env.PATH });
  assert.equal(secret.value, SECRET_VALUE, secret.stderr);
  assert.ok(!readFileSync(rig.kubeconfig, 'utf8').includes('bob-password'));
});

test('Cozystack: setup from the given kubeconfig, --skip-open-browser prints the URL', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startOidcRig();
  t.after(() => rig.close());
  // The kubeconfig Cozystack hands out (its user is irrelevant here; a token keeps kubectl from running anything).
  const given = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: 'cozy', cluster: { server: rig.api.url, 'certificate-authority-data': Buffer.from(rig.api.caPem).toString('base64') } },
    ],
    users: [{ name: 'u', user: { token: 'x' } }],
    contexts: [{ name: 'cozy', context: { cluster: 'cozy', user: 'u' } }],
    'current-context': 'cozy',
  };
  writeFileSync(join(rig.home, 'cozy.yaml'), JSON.stringify(given));
  const script = afterBlock('cozystack.md', '### After')
    .replace('domain=example.org', 'domain=unused')
    .replace('"https://keycloak.$domain/realms/cozy"', `"${rig.idp.issuer}"`);
  let opened = false;
  const env = shellEnv(rig);
  const r = await bash(script, env, rig.home, (stderr) => {
    const url = /open this URL in a browser on this machine:\n(\S+)/.exec(stderr)?.[1];
    if (url && !opened) {
      opened = true;
      void completeLoginAndFollow(url, { username: 'alice', password: 'alice-password' });
    }
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /redirect_uri=http%3A%2F%2Flocalhost%3A(8000|18000)&/);
  assert.match(r.stdout, /logged in to context cozy as alice/);
  const secret = await rig.readSecret({ PATH: env.PATH });
  assert.equal(secret.value, SECRET_VALUE, secret.stderr);
  assert.equal(rig.browserCalls(), 0, 'no browser was opened');
});
