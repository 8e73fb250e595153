// What runs on a cache miss: a `get-token` goes to dist/get-token.cjs (CommonJS: the use case and
// the providers, no commander and no ES-module loader, which cost a refresh ~40 ms; see
// scripts/build.mjs), anything else (and get-token's help) to the full CLI, dist/cli.cjs; both
// through the code cache (compile-cache.cjs). Kept out of the fast-path bundle: a hit must not even
// compile this.
'use strict';
const { join } = require('node:path');

const compileCache = require('./compile-cache.cjs');

/**
 * process.stdout and process.stderr as this run builds them: only those can hold writes not yet
 * flushed, and building one just to flush it costs ~8 ms when it is a pipe (the get-token entry
 * writes with writeSync: src/infra/stdio.ts). Undefined where Node defines them otherwise: then both.
 */
const builtStreams = (() => {
  const built = [];
  for (const name of ['stdout', 'stderr']) {
    const descriptor = Object.getOwnPropertyDescriptor(process, name);
    if (!descriptor || typeof descriptor.get !== 'function' || !descriptor.configurable) return undefined;
    Object.defineProperty(process, name, {
      configurable: true,
      enumerable: descriptor.enumerable,
      get() {
        const stream = descriptor.get.call(this);
        if (!built.includes(stream)) built.push(stream);
        return stream;
      },
    });
  }
  return built;
})();

/**
 * Exits once what was written is flushed: a keyring call that timed out cannot be cancelled and
 * would otherwise keep kubectl waiting for us.
 */
function finish(code) {
  if (code === 0) compileCache.afterSuccess();
  process.exitCode = code;
  const streams = builtStreams ?? [process.stdout, process.stderr];
  const flush = (i) => (i < streams.length ? streams[i].write('', () => flush(i + 1)) : process.exit(code));
  flush(0);
}

/** One of the miss bundles beside this file, through the code cache; undefined (and said) if it cannot load. */
function loadBundle(name) {
  const file = join(__dirname, name);
  try {
    return compileCache.requireCached(file);
  } catch (err) {
    process.stderr.write(`kubecred: cannot load ${file}: ${err.message}; run npm run build\n`);
    process.exitCode = 1;
    return undefined;
  }
}

function runFullCli(argv) {
  const cli = loadBundle('cli.cjs');
  if (cli) cli.main(argv).then(finish);
}

function runGetToken(argv) {
  const entry = loadBundle('get-token.cjs');
  if (entry) entry.runGetToken(argv).then((result) => (result === 'cli' ? runFullCli(argv) : finish(result)));
}

/** `argv` as the fast path got it; get-token without a kind is inferred by the get-token entry. */
module.exports = function runMiss(argv) {
  compileCache.enable();
  if (argv[0] === 'get-token') runGetToken(argv);
  else runFullCli(argv);
};
