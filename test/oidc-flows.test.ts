// End to end: real kubectl → kubecred get-token oidc → the oidc-provider IdP fixture → the API server
// fixture, for every login flow; then cache hits and refresh without a browser.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireKubectl } from './fixtures/kubectl.js';
import { assertNoSecrets, cachedSecrets, SECRET_VALUE, startOidcRig } from './helpers/oidc/rig.js';

test('authcode through a browser: kubectl reads a Secret, then cache hits, then one refresh without a browser', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startOidcRig();
  t.after(() => rig.close());
  await rig.useArgs(rig.getTokenArgs(['--browser-command', rig.browserCommand(), '--extra-scope', 'groups']));

  const first = await rig.readSecret();
  assert.equal(first.value, SECRET_VALUE, first.stderr);
  assert.equal(rig.browserCalls(), 1);
  assert.equal(rig.idp.counts.token_by_grant.authorization_code, 1);
  const who = rig.api.requests.at(-1)!.user!;
  assert.equal(who.username, `${rig.idp.issuer}#alice`);
  assert.ok(who.groups.includes('developers'), 'the groups scope reached the ID token');

  rig.idp.resetCounts();
  const second = await rig.readSecret();
  assert.equal(second.value, SECRET_VALUE);
  const idpRequests = Object.entries(rig.idp.counts).filter(([k, v]) => k !== 'token_by_grant' && v !== 0);
  assert.deepEqual(idpRequests, [], 'a cache hit makes no IdP request');

  rig.expireCachedTokens();
  rig.idp.resetCounts();
  const third = await rig.readSecret();
  assert.equal(third.value, SECRET_VALUE, third.stderr);
  assert.equal(rig.idp.counts.token, 1, 'exactly one token-endpoint request');
  assert.equal(rig.idp.counts.token_by_grant.refresh_token, 1);
  assert.equal(rig.idp.counts.discovery, 0, 'discovery metadata came from the cache');
  assert.equal(rig.idp.counts.jwks, 0, 'the JWKS came from the cache');
  assert.equal(rig.browserCalls(), 1, 'no browser for a refresh');
  assertNoSecrets(first.stderr + second.stderr + third.stderr, cachedSecrets(rig));
});

test('device code completed by an HTTP client', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startOidcRig();
  t.after(() => rig.close());
  // --browser-command makes the device flow open verification_uri_complete with it.
  await rig.useArgs(rig.getTokenArgs(['--grant-type', 'device-code', '--browser-command', rig.browserCommand('device')]));
  const r = await rig.readSecret();
  assert.equal(r.value, SECRET_VALUE, r.stderr);
  assert.match(r.stderr, /enter the code [A-Z-]+/);
  assert.ok(rig.idp.counts.token_by_grant['urn:ietf:params:oauth:grant-type:device_code']! >= 1);
  assertNoSecrets(r.stderr, cachedSecrets(rig));
});

test('password grant: username from the flag, password from KUBECRED_PASSWORD', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startOidcRig();
  t.after(() => rig.close());
  await rig.useArgs(rig.getTokenArgs(['--grant-type', 'password', '--username', 'bob']));
  const r = await rig.readSecret({ KUBECRED_PASSWORD: 'bob-password' });
  assert.equal(r.value, SECRET_VALUE, r.stderr);
  assert.equal(rig.api.requests.at(-1)!.user!.username, `${rig.idp.issuer}#bob`);
  assert.ok(!r.stderr.includes('bob-password'));

  // Without a terminal and without KUBECRED_PASSWORD, after the refresh token is gone: one line.
  rig.idp.revokeAllRefreshTokens();
  rig.expireCachedTokens();
  const before = rig.cacheSnapshot();
  const again = await rig.readSecret();
  assert.notEqual(again.code, 0);
  assert.match(again.stderr, /refresh token.*kubecred login --context/);
  assert.equal(rig.cacheSnapshot(), before);
});

test('client credentials: kubectl sends the access token of the confidential client', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const { clientId, clientSecret } = rig.idp.confidentialClient;
  const args = ['--issuer-url', rig.idp.issuer, '--client-id', clientId, '--grant-type', 'client-credentials'];
  await rig.useArgs(args, { KUBECRED_CLIENT_SECRET: clientSecret });
  // The fixture's access tokens are opaque: let the API server know this one once the IdP vouches for it.
  const got = await rig.kubecred(['get-token', 'oidc', ...args], { env: { KUBECRED_CLIENT_SECRET: clientSecret } });
  assert.equal(got.code, 0, got.stderr);
  const token = (JSON.parse(got.stdout) as { status: { token: string } }).status.token;
  const issued = await rig.idp.provider.ClientCredentials.find(token);
  assert.equal(issued?.clientId, clientId, 'the IdP issued this access token to the client');
  rig.staticTokens[token] = { user: 'ci-robot', groups: ['ci'] };
  const r = await rig.readSecret();
  assert.equal(r.value, SECRET_VALUE, r.stderr);
  assert.equal(rig.idp.counts.token_by_grant.client_credentials, 1, 'kubectl got the cached token');
  assertNoSecrets(got.stderr + r.stderr, [clientSecret, token]);
});

/** Runs a command under a pseudo-terminal (util-linux script), feeding `input()` when it resolves. */
function underPty(
  command: string,
  env: Record<string, string | undefined>,
  input: Promise<string>,
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], { env: env as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    input.then((text) => child.stdin.write(text), reject);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

async function waitForFile(path: string, timeoutMs = 30_000): Promise<string> {
  for (const deadline = Date.now() + timeoutMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      if (text.endsWith('\n')) return text.trim();
    }
  }
  throw new Error(`${path} never appeared`);
}

test('authcode-keyboard: the URL the browser landed on is pasted into the terminal kubectl hands over', async (t) => {
  const kubectl = requireKubectl(t);
  if (!kubectl) return;
  if (!existsSync('/usr/bin/script')) return t.skip('util-linux script (for a pseudo-terminal) is not installed');
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const codeFile = join(rig.home, 'landed-url');
  await rig.useArgs(
    rig.getTokenArgs([
      '--grant-type',
      'authcode-keyboard',
      '--redirect-url-authcode-keyboard',
      'http://127.0.0.1/callback',
      '--browser-command',
      rig.browserCommand('code-file', `--code-file ${codeFile}`),
    ]),
  );
  const command = `${kubectl.path} --kubeconfig ${rig.kubeconfig} get secret db -o jsonpath={.data.password}`;
  const landed = waitForFile(codeFile).then((url) => `${url}\r`);
  const r = await underPty(command, { ...rig.env, TERM: 'dumb' }, landed);
  assert.equal(r.code, 0, r.output);
  assert.ok(r.output.includes(Buffer.from(SECRET_VALUE).toString('base64')), r.output);
  assert.equal(rig.idp.counts.token_by_grant.authorization_code, 1);
});

test('--use-access-token hands over the access token, expiring with expires_in', async (t) => {
  const rig = await startOidcRig({ idp: { ttl: { AccessToken: 600 } } });
  t.after(() => rig.close());
  const r = await rig.kubecred(['get-token', 'oidc', ...rig.getTokenArgs(['--username', 'alice', '--use-access-token'])], {
    env: { KUBECRED_PASSWORD: 'alice-password' },
  });
  assert.equal(r.code, 0, r.stderr);
  const status = (JSON.parse(r.stdout) as { status: { token: string; expirationTimestamp: string } }).status;
  const issued = await rig.idp.provider.AccessToken.find(status.token);
  assert.equal(issued?.accountId, 'alice', 'kubectl gets the access token');
  const left = (Date.parse(status.expirationTimestamp) - Date.now()) / 1000;
  assert.ok(left > 480 && left <= 540, `expires_in 600 s minus the 60 s margin, got ${left}`);
});

test('--login-hint keeps two accounts of one IdP apart, and says when the login was someone else', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const get = (hint: string, user: string) =>
    rig.kubecred([
      'get-token',
      'oidc',
      ...rig.getTokenArgs([
        '--login-hint',
        hint,
        '--browser-command',
        rig.browserCommand('login', `--user ${user} --password ${user}-password`),
      ]),
    ]);
  const subOf = (r: { stdout: string }) =>
    (
      JSON.parse(
        Buffer.from((JSON.parse(r.stdout) as { status: { token: string } }).status.token.split('.')[1]!, 'base64url').toString(),
      ) as { sub: string }
    ).sub;
  const alice = await get('alice', 'alice');
  const bob = await get('bob', 'bob');
  assert.equal(subOf(alice), 'alice');
  assert.equal(subOf(bob), 'bob');
  assert.equal(subOf(await get('alice', 'bob')), 'alice', 'the cache answers for alice');
  assert.equal(rig.cacheSnapshot().match(/\.json:/g)?.length, 2, 'two cache entries');
  assert.match(readFileSync(rig.browserLog, 'utf8'), /login_hint=bob/);
  const wrong = await rig.kubecred([
    'get-token',
    'oidc',
    ...rig.getTokenArgs(['--login-hint', 'carol', '--browser-command', rig.browserCommand()]),
  ]);
  assert.equal(wrong.code, 0, wrong.stderr);
  assert.match(wrong.stderr, /warning: you logged in as alice, not as --login-hint carol/);
});
