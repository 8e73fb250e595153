// Node 20 has no module.enableCompileCache: kubecred keeps V8's code cache of its miss bundles
// itself (src/fastpath/compile-cache.cjs). A cache is written only after a success, only into the
// private directory, is used on the next run, and is never read when someone else could have
// written it. Node >= 22.1 uses its own cache instead (test/fastpath-compile-cache.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import module from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './helpers/cli.js';

const skip =
  typeof (module as { enableCompileCache?: unknown }).enableCompileCache === 'function' ? 'this Node has its own compile cache' : false;

/** A home whose kubecred cache dir (and its node-compile-cache, if asked) exist, and a "bundle" to load. */
function setUp(t: { after(fn: () => void): void }, withCacheDir = true) {
  const home = mkdtempSync(join(tmpdir(), 'kubecred-v8cache-'));
  t.after(() => rmSync(home, { recursive: true, force: true }));
  const kubecredDir = join(home, '.kube', 'cache', 'kubecred');
  mkdirSync(kubecredDir, { recursive: true, mode: 0o700 });
  const dir = join(kubecredDir, 'node-compile-cache');
  if (withCacheDir) mkdirSync(dir, { mode: 0o700 });
  const bundle = join(home, 'get-token-test.cjs');
  // Something to compile, and proof the module system works inside: require, module.exports, __dirname.
  writeFileSync(
    bundle,
    `'use strict';\nconst { join } = require('node:path');\nmodule.exports = { answer: () => join(__dirname, 'b') };\n${'function f(x) { return x * 2; }\n'.repeat(200)}`,
  );
  // What on-miss.cjs does around a get-token bundle: load it through the cache, run it, and on success save.
  const run = (env: Record<string, string> = {}, success = true) =>
    spawnSync(
      process.execPath,
      [
        '-e',
        `const c = require(${JSON.stringify(join(repoRoot, 'src', 'fastpath', 'compile-cache.cjs'))});
         const m = c.requireCached(${JSON.stringify(bundle)});
         if (m.answer() !== ${JSON.stringify(join(home, 'b'))}) process.exit(3);
         if (${success}) c.afterSuccess();`,
      ],
      { env: { PATH: process.env.PATH ?? '', HOME: home, ...env }, encoding: 'utf8' },
    );
  return { home, dir, bundle, cacheFile: join(dir, 'get-token-test.cjs.v8'), run };
}

test('Node 20: a successful miss writes the bundle’s code cache (0600), the next run uses it and leaves it alone', { skip }, (t) => {
  const s = setUp(t);
  const first = s.run();
  assert.equal(first.status, 0, first.stderr);
  assert.equal(statSync(s.cacheFile).mode & 0o777, 0o600);
  const written = statSync(s.cacheFile).mtimeMs;
  const bytes = readFileSync(s.cacheFile);
  const second = s.run();
  assert.equal(second.status, 0, second.stderr);
  assert.equal(statSync(s.cacheFile).mtimeMs, written, 'V8 accepted the cache: nothing to write again');
  assert.deepEqual(readFileSync(s.cacheFile), bytes);
});

test(
  'Node 20: no code cache after a failed run, without the private dir, or when the user set NODE_COMPILE_CACHE / NODE_DISABLE_COMPILE_CACHE',
  { skip },
  (t) => {
    const failed = setUp(t);
    assert.equal(failed.run({}, false).status, 0);
    assert.equal(existsSync(failed.cacheFile), false, 'written only after a success');

    const noDir = setUp(t, false);
    assert.equal(noDir.run().status, 0);
    assert.equal(existsSync(noDir.cacheFile), false, 'the first success makes the dir; the next run fills it');
    assert.equal(statSync(noDir.dir).mode & 0o777, 0o700);
    assert.equal(noDir.run().status, 0);
    assert.ok(existsSync(noDir.cacheFile));

    const userChoices: Array<Record<string, string>> = [
      { NODE_DISABLE_COMPILE_CACHE: '1' },
      { NODE_COMPILE_CACHE: join(tmpdir(), 'kubecred-v8cache-user-unused') },
    ];
    for (const env of userChoices) {
      const s = setUp(t);
      assert.equal(s.run(env).status, 0);
      assert.equal(existsSync(s.cacheFile), false, JSON.stringify(env));
    }
  },
);

test(
  'Node 20: a code cache another user could have written is never read (and is replaced by ours); a garbage one is rejected',
  { skip },
  (t) => {
    const s = setUp(t);
    assert.equal(s.run().status, 0);
    // Group/world-writable: anyone could have planted it. It must not be read, so the run compiles
    // afresh and writes its own, private one in its place.
    writeFileSync(s.cacheFile, 'planted');
    chmodSync(s.cacheFile, 0o666);
    const r = s.run();
    assert.equal(r.status, 0, r.stderr);
    assert.equal(statSync(s.cacheFile).mode & 0o777, 0o600);
    assert.notEqual(readFileSync(s.cacheFile, 'utf8'), 'planted');
    // Ours but garbage (a torn write, another V8): V8 rejects it, the run works and rewrites it.
    writeFileSync(s.cacheFile, Buffer.alloc(4096, 7), { mode: 0o600 });
    const again = s.run();
    assert.equal(again.status, 0, again.stderr);
    assert.notDeepEqual(readFileSync(s.cacheFile), Buffer.alloc(4096, 7));
  },
);

test('Node 20: the full CLI (a help screen, cache list) runs from dist/cli.cjs through the same code cache', { skip }, (t) => {
  const s = setUp(t);
  const kubecred = (args: string[]) =>
    spawnSync(process.execPath, [join(repoRoot, 'bin', 'kubecred.cjs'), ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: s.home, KUBECONFIG: join(s.home, '.kube', 'config') },
      encoding: 'utf8',
    });
  const cliCache = join(s.dir, 'cli.cjs.v8');
  const first = kubecred(['--help']);
  assert.equal(first.status, 0, first.stderr);
  assert.equal(statSync(cliCache).mode & 0o777, 0o600);
  const written = statSync(cliCache).mtimeMs;
  for (const args of [
    ['setup-context', 'oidc', '--help'],
    ['cache', 'list'],
  ]) {
    const r = kubecred(args);
    assert.equal(r.status, 0, r.stderr);
  }
  const help = kubecred(['--help']);
  assert.equal(help.stdout, first.stdout, 'the same screen from the cached code');
  assert.equal(statSync(cliCache).mtimeMs, written, 'V8 accepted the cache each time: nothing to write again');
  const failing = kubecred(['cache', 'list', '--no-such-flag']);
  assert.equal(failing.status, 2, failing.stderr);
  assert.equal(statSync(cliCache).mtimeMs, written);
});
