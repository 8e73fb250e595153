// Node >= 22.1 keeps the full CLI's compiled code in a private directory beside the token cache;
// Node 20 has no compile cache and must be left exactly as it was (no directory appears).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubecredBin } from './helpers/cli.js';

const hasCompileCache = typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function';

function run(env: Record<string, string>) {
  const home = mkdtempSync(join(tmpdir(), 'kubecred-ccache-'));
  const r = spawnSync(process.execPath, [kubecredBin, 'cache', '--help'], {
    env: { PATH: process.env.PATH ?? '', HOME: home, ...env },
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  return { home, dir: join(home, '.kube', 'cache', 'kubecred', 'node-compile-cache') };
}

test(`a miss ${hasCompileCache ? 'fills a 0700 compile cache beside the token cache' : 'creates no compile cache on this Node (no module.enableCompileCache)'}`, (t) => {
  const { home, dir } = run({});
  t.after(() => rmSync(home, { recursive: true, force: true }));
  if (!hasCompileCache) {
    assert.equal(existsSync(dir), false);
    return;
  }
  assert.equal(statSync(dir).mode & 0o777, 0o700);
  assert.ok(readdirSync(dir).length > 0, 'Node wrote its cache');
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
