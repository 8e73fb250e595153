// What runs on a cache miss: a `get-token` goes to dist/get-token-<kind>.cjs (CommonJS: the use
// case and one provider, no commander and no ES-module loader, which cost a refresh ~40 ms; see
// scripts/build.mjs), anything else (and get-token's help) to the full CLI, dist/cli.mjs. Kept out
// of the fast-path bundle: a hit must not even compile this.
'use strict';
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

/**
 * Node >= 22.1 keeps V8's compiled code of the full CLI, its chunks and packages on disk, so a
 * refresh skips compiling them again. Only here, on a miss: a cache hit compiles one small file and
 * would pay more to read a cache than it saves. The cache sits beside the token cache in a 0700
 * directory of ours (never the shared os.tmpdir() default: code read from there would run as ours);
 * NODE_COMPILE_CACHE, if the user set it, is Node's to honour and left alone.
 *
 * A run that fails writes nothing, so the cache is used only once its directory exists, and that
 * is made only after a run succeeded in a kubecred cache dir that already existed (`--help` on a
 * fresh machine creates nothing either).
 */
function compileCacheDir() {
  const base = process.env.KUBECACHEDIR || join(process.env.HOME || require('node:os').homedir(), '.kube', 'cache');
  return join(base, 'kubecred', 'node-compile-cache');
}

function usableCompileCache() {
  const { enableCompileCache: enable } = require('node:module');
  if (typeof enable !== 'function' || process.env.NODE_COMPILE_CACHE || process.env.NODE_DISABLE_COMPILE_CACHE) return undefined;
  return enable;
}

function enableCompileCache() {
  const enable = usableCompileCache();
  if (!enable) return;
  try {
    const dir = compileCacheDir();
    const st = require('node:fs').lstatSync(dir);
    const uid = process.getuid ? process.getuid() : undefined;
    if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o077) !== 0) return;
    enable(dir);
  } catch {
    // No cache dir yet (see above), a read-only home: compile as usual.
  }
}

/** After a successful run: make the cache directory for the next one, inside an existing kubecred cache dir. */
function prepareCompileCache() {
  if (!usableCompileCache()) return;
  try {
    const { existsSync, mkdirSync } = require('node:fs');
    const dir = compileCacheDir();
    if (!existsSync(dir) && existsSync(join(dir, '..'))) mkdirSync(dir, { mode: 0o700 });
  } catch {
    // best effort
  }
}

let compileCacheEnabled = false;

/** Exits once stdout and stderr are flushed: a keyring call that timed out cannot be cancelled and would otherwise keep kubectl waiting for us. */
function finish(code) {
  if (code === 0) prepareCompileCache();
  process.exitCode = code;
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

function failToLoad(file, err) {
  process.stderr.write(`kubecred: cannot load ${file}: ${err.message}; run npm run build\n`);
  process.exitCode = 1;
}

function runFullCli(argv) {
  const cli = join(__dirname, 'cli.mjs');
  import(pathToFileURL(cli).href).then(
    (mod) => mod.main(argv).then(finish),
    (err) => failToLoad(cli, err),
  );
}

/** The bundle for `get-token <kind>`: the kind's own (small) one when there is one, else the one with every provider. */
function getTokenBundle(argv) {
  const kind = argv[1] ?? '';
  if (/^[a-z][a-z0-9-]*$/.test(kind)) {
    const lean = join(__dirname, `get-token-${kind}.cjs`);
    if (require('node:fs').existsSync(lean)) return lean;
  }
  return join(__dirname, 'get-token.cjs');
}

function runGetToken(argv, file = getTokenBundle(argv), printedBefore = []) {
  let entry;
  try {
    entry = require(file);
  } catch (err) {
    failToLoad(file, err);
    return;
  }
  const everything = join(__dirname, 'get-token.cjs');
  entry.runGetToken(argv, printedBefore).then((result) => {
    if (typeof result === 'number') finish(result);
    else if (result.to === 'cli') runFullCli(argv);
    else if (file !== everything) runGetToken(argv, everything, [...printedBefore, ...result.printed]);
    else finish(1);
  });
}

/** `argv` as the fast path got it; get-token without a kind is inferred by the get-token entry. */
module.exports = function runMiss(argv) {
  if (!compileCacheEnabled) enableCompileCache();
  compileCacheEnabled = true;
  if (argv[0] === 'get-token') runGetToken(argv);
  else runFullCli(argv);
};
