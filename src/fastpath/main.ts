// Entry point of the `kubecred` and `kubectl-cred` bins, bundled as CommonJS into bin/kubecred.cjs:
// CommonJS because Node's ESM loader alone costs ~10% of start-up (shared/reference/performance.md).
// A cache hit is one hit record (store/hit-record.ts): read, compared, printed. Anything else goes
// to on-miss.cjs (the get-token entry or the full CLI), which answers and keeps the record.
// Under Bun (`setup-context --runtime bun`), only the cache hit runs here: a miss re-executes the
// same argv under Node, so the full CLI never depends on Bun's compatibility.
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { answerFromHitRecord } from '../store/hit-record.js';
import { rerunUnderNode } from './rerun-under-node.js';

const argv = process.argv.slice(2);
// Only get-token has records; anything else (help, setup-context) goes straight to the full CLI.
const answer = argv[0] === 'get-token' ? answerFromHitRecord(argv, process.env, Date.now()) : undefined;

if (answer !== undefined) {
  // One synchronous write: cheaper than initialising process.stdout, and complete before exit.
  writeSync(1, answer);
  // Nothing is pending, and Node's teardown of a finished run still costs ~0.5-1 ms (paired runs of
  // 150: an empty script 0.99x node -e 0, one ending in process.exit 0.97x).
  process.exit(0);
} else if (process.versions.bun !== undefined) {
  rerunUnderNode(__filename, argv);
} else {
  // A computed path, so the bundler leaves this require to run time (see on-miss.cjs).
  const runMiss = require(join(__dirname, '..', 'dist', 'on-miss.cjs')) as (argv: string[]) => void;
  runMiss(argv);
}
