// Concurrency levels kubecred must hold: 64 processes on one key whose refresh tokens rotate (reuse
// revokes the grant, so a second refresh would fail everyone after it), 64 on 8 keys, and 16
// setup-context runs writing one kubeconfig. Real processes (the built CLI), real IdP; no timing
// assertions, only outcomes — the counts hold however slowly two shared cores run them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { startOidcRig, type OidcRig } from './helpers/oidc/rig.js';
import { parseKubeconfig, listNamed } from '../src/kubeconfig/document.js';
import { runKubecred, type RunResult } from './helpers/cli.js';

const PASSWORD_ENV = { KUBECRED_PASSWORD: 'alice-password' };
const SCOPE_SETS = [
  [],
  ['groups'],
  ['email'],
  ['profile'],
  ['groups', 'email'],
  ['groups', 'profile'],
  ['email', 'profile'],
  ['groups', 'email', 'profile'],
];

/**
 * One kubecred run with a generous kill timeout: 64 processes on two shared cores can take minutes
 * under load, and only the outcome is asserted, never the time.
 */
function run(rig: OidcRig, args: string[]): Promise<RunResult> {
  return runKubecred(args, { env: rig.env, timeoutMs: 600_000 });
}

function argsFor(rig: OidcRig, scopes: string[]): string[] {
  return ['get-token', 'oidc', ...rig.getTokenArgs(['--username', 'alice', ...scopes.flatMap((s) => ['--extra-scope', s])])];
}

function assertAllSucceeded(results: RunResult[]): void {
  const failures = results.filter((r) => r.code !== 0);
  assert.deepEqual(
    failures.map((r) => r.stderr.trim()),
    [],
    `${failures.length} of ${results.length} failed`,
  );
  for (const r of results) assert.match(JSON.parse(r.stdout).status.token, /^eyJ/);
}

function leftovers(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.lock') || n.endsWith('.tmp')) : [];
}

test('concurrency: 64 processes on one key with rotating refresh tokens: 0 failures, 1 refresh', async (t) => {
  const rig = await startOidcRig({ idp: { rotateRefreshTokens: true } });
  t.after(() => rig.close());
  const args = argsFor(rig, ['groups']);
  assert.equal((await rig.kubecred(args, { env: PASSWORD_ENV })).code, 0);
  rig.expireCachedTokens();
  rig.idp.resetCounts();
  // No KUBECRED_PASSWORD: a process that missed the fresh token could not log in, only fail.
  const results = await Promise.all(Array.from({ length: 64 }, () => run(rig, args)));
  assertAllSucceeded(results);
  assert.equal(rig.idp.counts.token_by_grant.refresh_token, 1, 'exactly one refresh');
  assert.equal(rig.idp.counts.token, 1);
  assert.equal(new Set(results.map((r) => JSON.parse(r.stdout).status.token)).size, 1, 'all print the one new token');
  assert.deepEqual(leftovers(rig.cacheDir), []);
});

test('concurrency: 64 processes on 8 keys: 8 refreshes, 0 failures', async (t) => {
  const rig = await startOidcRig({ idp: { rotateRefreshTokens: true } });
  t.after(() => rig.close());
  for (const scopes of SCOPE_SETS) assert.equal((await rig.kubecred(argsFor(rig, scopes), { env: PASSWORD_ENV })).code, 0);
  assert.equal(readdirSync(rig.cacheDir).filter((n) => n.endsWith('.json')).length, 8, 'eight keys');
  rig.expireCachedTokens();
  rig.idp.resetCounts();
  const results = await Promise.all(Array.from({ length: 64 }, (_, i) => run(rig, argsFor(rig, SCOPE_SETS[i % 8]!))));
  assertAllSucceeded(results);
  assert.equal(rig.idp.counts.token_by_grant.refresh_token, 8, 'one refresh per key');
  assert.deepEqual(leftovers(rig.cacheDir), []);
});

test('concurrency: 16 setup-context runs on one kubeconfig: every entry present, the file parses, no lock left', async (t) => {
  const rig = await startOidcRig();
  t.after(() => rig.close());
  const results = await Promise.all(
    Array.from({ length: 16 }, (_, i) =>
      run(rig, [
        'setup-context',
        'oidc',
        '--context',
        `ctx-${i}`,
        '--server',
        `https://127.0.0.1:${6000 + i}`,
        '--insecure-skip-tls-verify',
        '--issuer-url',
        rig.idp.issuer,
        '--client-id',
        `client-${i}`,
      ]),
    ),
  );
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  const doc = parseKubeconfig(rig.kubeconfig, readFileSync(rig.kubeconfig, 'utf8'));
  const contexts = listNamed(doc, 'contexts')
    .map((c) => c.name)
    .sort();
  assert.deepEqual(contexts, Array.from({ length: 16 }, (_, i) => `ctx-${i}`).sort());
  assert.equal(listNamed(doc, 'clusters').length, 16);
  assert.equal(listNamed(doc, 'users').length, 16);
  assert.deepEqual(leftovers(dirname(rig.kubeconfig)), [], 'no lock or temp file beside the kubeconfig');
});
