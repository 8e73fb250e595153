// Loads the full CLI (ES module) on a cache miss. Kept out of the fast-path bundle on purpose:
// a CommonJS file that merely contains import() makes Node set up its ESM loader at compile
// time, which costs ~9 ms on every cache hit.
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

module.exports = function runFullCli(argv) {
  enableCompileCache();
  const cli = join(__dirname, 'cli.mjs');
  import(pathToFileURL(cli).href).then(
    (mod) =>
      mod.main(argv).then((code) => {
        if (code === 0) prepareCompileCache();
        // Exit explicitly once stdout and stderr are flushed: a keyring call that timed out cannot
        // be cancelled and would otherwise keep kubectl waiting for us.
        process.exitCode = code;
        process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
      }),
    (err) => {
      process.stderr.write(`kubecred: cannot load ${cli}: ${err.message}; run npm run build\n`);
      process.exitCode = 1;
    },
  );
};
