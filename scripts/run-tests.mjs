// Runs every test/*.test.ts with node's test runner through tsx. Files run one at a time by default
// (the suite starts real servers, Chromium and Keystone on a 2-core machine); KUBECRED_TEST_JOBS
// raises it. Extra arguments are passed to node --test (e.g. a file list or --test-name-pattern).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';

const args = process.argv.slice(2);
const files = args.some((a) => a.endsWith('.ts'))
  ? []
  : readdirSync('test')
      .filter((f) => f.endsWith('.test.ts'))
      .sort()
      .map((f) => `test/${f}`);
const jobs = process.env.KUBECRED_TEST_JOBS ?? '1';
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', `--test-concurrency=${jobs}`, '--test-reporter=spec', ...args, ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
