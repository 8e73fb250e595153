// Loads the full CLI (ES module) on a cache miss. Kept out of the fast-path bundle on purpose:
// a CommonJS file that merely contains import() makes Node set up its ESM loader at compile
// time, which costs ~9 ms on every cache hit.
'use strict';
const { join } = require('node:path');
const { pathToFileURL } = require('node:url');

module.exports = function runFullCli(argv) {
  const cli = join(__dirname, 'cli.mjs');
  import(pathToFileURL(cli).href).then(
    (mod) =>
      mod.main(argv).then((code) => {
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
