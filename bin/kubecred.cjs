#!/usr/bin/env node
'use strict';
// Checked here, before anything else loads: the bundles use syntax and APIs of Node 20.
if (Number(/^v?(\d+)/.exec(process.version)[1]) < 20) {
  process.stderr.write(
    'kubecred: needs Node.js 20 or newer, this is ' +
      process.version +
      ': install a current Node.js (https://nodejs.org) and run it again\n',
  );
  process.exit(1);
}
require('../dist/kubecred.cjs');
