// Node >= 22.1 keeps the full CLI's compiled code in a private directory beside the token cache;
// on Node 20 kubecred keeps V8's code cache of its get-token bundles there itself
// (test/compile-cache-v8.test.ts covers those files).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import module from 'node:module';
import vm from 'node:vm';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubecredBin } from './helpers/cli.js';

const nodeCache = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';
const ownCache =
  !nodeCache && (vm.constants as { USE_MAIN_CONTEXT_DEFAULT_LOADER?: unknown } | undefined)?.USE_MAIN_CONTEXT_DEFAULT_LOADER !== undefined;
const hasCompileCache = nodeCache || ownCache;

function run(env: Record<string, string>, options: { home?: string; args?: string[]; status?: number } = {}) {
  const home = options.home ?? mkdtempSync(join(tmpdir(), 'kubecred-ccache-'));
  const r = spawnSync(process.execPath, [kubecredBin, ...(options.args ?? ['cache', '--help'])], {
    env: { PATH: process.env.PATH ?? '', HOME: home, ...env },
    encoding: 'utf8',
  });
  assert.equal(r.status, options.status ?? 0, r.stderr);
  return { home, dir: join(home, '.kube', 'cache', 'kubecred', 'node-compile-cache') };
}

test(`a miss ${hasCompileCache ? 'makes a 0700 compile cache beside an existing token cache, after a success' : 'creates no compile cache on this Node'}`, (t) => {
  const first = run({});
  t.after(() => rmSync(first.home, { recursive: true, force: true }));
  assert.equal(existsSync(join(first.home, '.kube')), false, 'a fresh machine: --help creates nothing');
  mkdirSync(join(first.home, '.kube', 'cache', 'kubecred'), { recursive: true, mode: 0o700 });
  run({}, { home: first.home });
  if (!hasCompileCache) {
    assert.equal(existsSync(first.dir), false);
    return;
  }
  assert.equal(statSync(first.dir).mode & 0o777, 0o700, 'made after a successful run');
  run({}, { home: first.home });
  if (nodeCache) assert.ok(readdirSync(first.dir).length > 0, 'Node wrote its cache on the next run');
});

test('a failing run on a fresh machine writes no compile cache (nothing at all)', (t) => {
  const { home } = run({}, { args: ['get-token', 'oidc', '--issuer-url', 'https://idp.example'], status: 2 });
  t.after(() => rmSync(home, { recursive: true, force: true }));
  assert.equal(existsSync(join(home, '.kube')), false);
});

test('a compile cache the user configured (NODE_COMPILE_CACHE) or disabled is left to Node', (t) => {
  const cases: Array<Record<string, string>> = [
    { NODE_COMPILE_CACHE: join(tmpdir(), `kubecred-ccache-user-${process.pid}`) },
    { NODE_DISABLE_COMPILE_CACHE: '1' },
  ];
  for (const env of cases) {
    const { home, dir } = run(env);
    t.after(() => rmSync(home, { recursive: true, force: true }));
    if (env.NODE_COMPILE_CACHE) t.after(() => rmSync(env.NODE_COMPILE_CACHE!, { recursive: true, force: true }));
    assert.equal(existsSync(dir), false, JSON.stringify(env));
  }
});
