// What a user gets from npm: `npm pack` of this checkout, installed globally into a temp prefix
// (its dependencies from the npm registry, or npm's cache), then run as a user would: the
// `kubecred` bin, a cache hit, and `kubectl cred` found through kubectl's plugin discovery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubecredBin, repoRoot } from './helpers/cli.js';
import { requireKubectl } from './fixtures/kubectl.js';
import { writeEntry } from '../src/store/token-cache.js';
import { cacheKey } from '../src/store/cache-key.js';
import { parseFlags } from '../src/exec/flags.js';
import { oidcGetTokenFlags } from '../src/providers/oidc/flags.js';
import { oidcIdentity } from '../src/providers/oidc/identity.js';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const V1 = JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', spec: { interactive: false } });

function run(
  file: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): SpawnSyncReturns<string> {
  return spawnSync(file, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: 32 * 1024 * 1024,
  });
}

interface PackedFile {
  path: string;
}

/** The files a user needs; anything else in the tarball (tests, sources, maps, fixtures) is a leak. */
function allowedInPackage(path: string): boolean {
  if (path.endsWith('.map')) return false;
  return ['LICENSE', 'README.md', 'package.json'].includes(path) || /^(bin|dist|docs)\//.test(path);
}

test('the packed tarball ships only dist, bin, docs, README and LICENSE, and installs and runs', { timeout: 300_000 }, async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'kubecred-pack-'));
  t.after(() => rmSync(work, { recursive: true, force: true }));

  // `npm pack` runs `prepare` (the release build: no source maps) and prints its report as JSON.
  // It runs in a copy of the checkout, so the suite's own dist/ is never rebuilt under other tests.
  const checkout = join(work, 'checkout');
  for (const entry of ['package.json', 'README.md', 'LICENSE', 'bin', 'docs', 'scripts', 'src'])
    cpSync(join(repoRoot, entry), join(checkout, entry), { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(checkout, 'node_modules'));
  const pack = run(npm, ['pack', '--json', '--pack-destination', work], { cwd: checkout, timeoutMs: 120_000 });
  assert.equal(pack.status, 0, pack.stderr);
  const report = JSON.parse(pack.stdout.slice(pack.stdout.indexOf('['))) as Array<{ filename: string; files: PackedFile[] }>;
  const files = report[0]!.files.map((f) => f.path);
  assert.deepEqual(
    files.filter((p) => !allowedInPackage(p)),
    [],
    'nothing but what a user needs',
  );
  for (const needed of [
    'LICENSE',
    'README.md',
    'bin/kubecred.cjs',
    'bin/kubectl-cred.cjs',
    'dist/on-miss.cjs',
    'dist/get-token.cjs',
    'dist/compile-cache.cjs',
    'dist/esm-import.cjs',
    'dist/cli.cjs',
    'docs/index.md',
  ]) {
    assert.ok(files.includes(needed), `the package has ${needed}`);
  }
  const tgz = join(work, report[0]!.filename);

  const prefix = join(work, 'prefix');
  const install = run(npm, ['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--prefer-offline', tgz], {
    timeoutMs: 240_000,
  });
  assert.equal(install.status, 0, install.stderr);
  const installed = join(prefix, 'lib', 'node_modules', 'kubecred');
  for (const file of files.filter((p) => /^(bin|dist)\/.*\.(c?js|mjs)$/.test(p))) {
    const text = readFileSync(join(installed, file), 'utf8');
    assert.ok(!text.includes(repoRoot) && !text.includes(checkout), `${file} holds no path of the build machine`);
    assert.ok(!text.includes('sourceMappingURL'), `${file} points at no source map`);
  }
  assert.equal(readFileSync(join(installed, 'LICENSE'), 'utf8'), readFileSync(join(repoRoot, 'LICENSE'), 'utf8'));

  const bin = join(prefix, 'bin');
  const home = join(work, 'home');
  const env = {
    PATH: `${bin}:${process.env.PATH}`,
    HOME: home,
    KUBECACHEDIR: join(home, '.kube', 'cache'),
    KUBECONFIG: join(home, '.kube', 'config'),
  };

  const version = run(join(bin, 'kubecred'), ['--version'], { env });
  assert.equal(version.status, 0, version.stderr);
  const { version: packageVersion } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  assert.equal(version.stdout.trim(), packageVersion);

  // A cache hit: the entry the installed kubecred would have written after a login.
  const args = ['--issuer-url=https://idp.example/realms/cozy', '--client-id=kubernetes'];
  const identity = oidcIdentity(parseFlags(oidcGetTokenFlags, args).values);
  writeEntry(join(env.KUBECACHEDIR, 'kubecred'), cacheKey(identity), {
    v: 1,
    provider: 'oidc',
    identity,
    storage: 'disk',
    expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    obtainedAt: new Date().toISOString(),
    credential: { token: 'packed-cached-token' },
  });
  const hit = run(join(bin, 'kubecred'), ['get-token', 'oidc', ...args], { env: { ...env, KUBERNETES_EXEC_INFO: V1 } });
  assert.equal(hit.status, 0, hit.stderr);
  assert.equal(JSON.parse(hit.stdout).status.token, 'packed-cached-token');

  const kubectl = requireKubectl(t);
  if (!kubectl) return;
  // kubectl's plugin discovery: `kubectl cred` runs the first `kubectl-cred` on PATH.
  const plugin = run(kubectl.path, ['cred', '--help'], { env });
  assert.equal(plugin.status, 0, plugin.stderr);
  assert.match(plugin.stdout, /Usage: kubecred/);
  assert.match(plugin.stdout, /setup-context/);
});

test('on Node < 20 the launcher says which Node it needs, in one line, and exits 1', () => {
  for (const launcher of [kubecredBin, kubecredBin.replace('kubecred.cjs', 'kubectl-cred.cjs')]) {
    const fake = `Object.defineProperty(process, 'version', { value: 'v18.20.4' }); process.argv[1] = ${JSON.stringify(launcher)}; require(${JSON.stringify(launcher)});`;
    const r = run(process.execPath, ['-e', fake, '--', 'get-token', 'oidc']);
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^kubecred: needs Node\.js 20 or newer, this is v18\.20\.4: [^\n]+\n$/);
  }
  // And the real Node passes the check.
  const current = run(process.execPath, [kubecredBin, '--version']);
  assert.equal(current.status, 0, current.stderr);
});
