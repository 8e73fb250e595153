// What runs on a cache miss: a `get-token` goes to dist/get-token.cjs (CommonJS: the use case and
// the providers, no commander and no ES-module loader, which cost a refresh ~40 ms; see
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

function runGetToken(argv) {
  const file = join(__dirname, 'get-token.cjs');
  let entry;
  try {
    entry = compileCache.requireCached(file);
  } catch (err) {
    failToLoad(file, err);
    return;
  }
  entry.runGetToken(argv).then((result) => (result === 'cli' ? runFullCli(argv) : finish(result)));
}

/** `argv` as the fast path got it; get-token without a kind is inferred by the get-token entry. */
module.exports = function runMiss(argv) {
  compileCache.enable();
  if (argv[0] === 'get-token') runGetToken(argv);
  else runFullCli(argv);
};
