#!/usr/bin/env node
'use strict';
// bin/kubecred.cjs is built by scripts/build.mjs: this banner, then the cache-hit path of
// src/fastpath/ bundled as CommonJS (one file, so a hit loads nothing else).
// Checked first: the code below uses syntax and APIs of Node 20.
if (Number(/^v?(\d+)/.exec(process.version)[1]) < 20) {
  process.stderr.write(
    'kubecred: needs Node.js 20 or newer, this is ' +
      process.version +
      ': install a current Node.js (https://nodejs.org) and run it again\n',
  );
  process.exit(1);
}
