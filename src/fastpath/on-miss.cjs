// What runs on a cache miss: a `get-token` goes to dist/get-token-<kind>.cjs (CommonJS: the use
// case and one provider, no commander and no ES-module loader, which cost a refresh ~40 ms; see
// scripts/build.mjs), anything else (and get-token's help) to the full CLI, dist/cli.mjs. Kept out
// of the fast-path bundle: a hit must not even compile this.
'use strict';
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

const compileCache = require('./compile-cache.cjs');

/** Exits once stdout and stderr are flushed: a keyring call that timed out cannot be cancelled and would otherwise keep kubectl waiting for us. */
function finish(code) {
  if (code === 0) compileCache.afterSuccess();
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

/**
 * Runs get-token from `file`; a bundle that lacks a module the run needs hands it over (once) to
 * the one with everything, passing what it printed (see src/cli/get-token-entry.ts).
 */
function runGetToken(argv, file, handover) {
  let entry;
  try {
    entry = compileCache.requireCached(file);
  } catch (err) {
    failToLoad(file, err);
    return;
  }
  const everything = join(__dirname, 'get-token.cjs');
  entry.runGetToken(argv, handover?.printed ?? [], handover !== undefined).then((result) => {
    if (typeof result === 'number') finish(result);
    else if (result.to === 'cli') runFullCli(argv);
    else if (file !== everything) runGetToken(argv, everything, { printed: result.printed });
    else finish(1);
  });
}

/** `argv` as the fast path got it; get-token without a kind is inferred by the get-token entry. */
module.exports = function runMiss(argv) {
  compileCache.enable();
  if (argv[0] === 'get-token') runGetToken(argv, getTokenBundle(argv));
  else runFullCli(argv);
};
