// Entry point of the `kubecred` and `kubectl-cred` bins, bundled as CommonJS into bin/kubecred.cjs:
// CommonJS because Node's ESM loader alone costs ~10% of start-up (shared/reference/performance.md).
// A cache hit prints and returns; anything else goes to on-miss.cjs (the get-token entry or the full CLI).
// Under Bun (`setup-context --runtime bun`), only the cache hit runs here: a miss re-executes the
// same argv under Node, so the full CLI never depends on Bun's compatibility.
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { answerFromCache } from './cache-hit.js';
import { rerunUnderNode } from './rerun-under-node.js';
import { providerModules } from '../providers/registry.js';

const argv = process.argv.slice(2);
const answer = answerFromCache({
  argv,
  env: process.env,
  nowMs: Date.now(),
  modules: providerModules,
});

if (answer !== undefined) {
  // One synchronous write: cheaper than initialising process.stdout, and complete before exit.
  writeSync(1, answer);
} else if (process.versions.bun !== undefined) {
  rerunUnderNode(__filename, argv);
} else {
  // A computed path, so the bundler leaves this require to run time (see on-miss.cjs).
  const runMiss = require(join(__dirname, '..', 'dist', 'on-miss.cjs')) as (argv: string[]) => void;
  runMiss(argv);
}
