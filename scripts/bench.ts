// `npm run bench [-- --short] [-- --only=hit,kubectl,refresh,iam,tenant,keystone,help]`: every scenario is
// measured alternately with its baseline in the same run, so ratios are what count, not the
// machine. Prints each row as it is measured, then the table; the full run writes
// docs/performance.md (--short, which CI runs, only prints). Never fails on timing; fails if a
// scenario itself errors.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { findKubectl } from '../test/fixtures/kubectl.js';
import { formatTable, PAIRS, repo, SHORT, WARMUP, type Row } from './bench-lib.js';
import { bunVersion, helpRows, HIT_PAIRS, hitRows } from './bench-hit.js';
import { kubectlRows } from './bench-kubectl.js';
import { iamRefreshRows, refreshRows } from './bench-refresh.js';
import { tenantRows } from './bench-tenant.js';
import { keystoneRows } from './bench-keystone.js';

const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice('--only='.length)
  .split(',');
const wants = (group: string) => !only || only.includes(group);

/**
 * Bun from the npm registry's `bun` package in a temp prefix (never a dependency): BENCH_BUN names
 * a binary instead, BENCH_BUN=0 skips the Bun rows.
 */
function findBun(): string | undefined {
  if (process.env.BENCH_BUN === '0') return undefined;
  if (process.env.BENCH_BUN) return process.env.BENCH_BUN;
  const prefix = join(tmpdir(), 'kubecred-bench-bun');
  const binary = join(prefix, 'node_modules', '.bin', 'bun');
  try {
    if (!existsSync(binary)) {
      console.log(`installing bun from the npm registry into ${prefix} (bench only)…`);
      execFileSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', 'bun'], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
    }
    bunVersion(binary);
    return binary;
  } catch (err) {
    console.log(`Bun rows skipped: cannot install or run bun (${(err as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

function machine(bun: string | undefined): string[] {
  const cpu = cpus();
  const kubectl = findKubectl();
  let load = '';
  try {
    load = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    // not Linux
  }
  return [
    `- CPU: ${cpu[0]?.model ?? 'unknown'}, ${cpu.length} cores${load ? ` (load average at the start: ${load})` : ''}`,
    `- Node ${process.version}${bun ? `, Bun ${bunVersion(bun)} (npm package \`bun\`, bench only)` : ', no Bun'}`,
    `- kubectl ${kubectl ? kubectl.gitVersion : 'not found'}`,
    `- ${PAIRS} A/B pairs per scenario (${HIT_PAIRS} for the cache hits and Bun's floor) after ${WARMUP} warm-up rounds (subject and baseline alternate, and so does which goes first); medians with p25–p75; ratios are medians of the per-pair ratios; peak RSS from getrusage(RUSAGE_CHILDREN) of the measured process alone (scripts/bench-measure.py)`,
  ];
}

const bun = wants('bun') ? findBun() : undefined;
const details = machine(bun);
console.log(`kubecred bench${SHORT ? ' (short)' : ''}\n${details.join('\n')}`);
const rows: Row[] = [];
if (wants('hit')) rows.push(...(await hitRows(bun)));
if (wants('kubectl')) rows.push(...(await kubectlRows(bun)));
if (wants('refresh')) rows.push(...(await refreshRows()));
if (wants('iam')) rows.push(...(await iamRefreshRows()));
if (wants('tenant')) rows.push(...(await tenantRows()));
if (wants('keystone')) rows.push(...(await keystoneRows()));
if (wants('help')) rows.push(...(await helpRows()));

const table = formatTable(rows);
console.log(`\n${table}\n`);
const missed = rows.filter((r) => r.holds === false).length;
console.log(missed ? `${missed} target(s) missed (the bench never fails on timing)` : 'every target holds');

if (!SHORT && !only) {
  const doc = [
    '# Performance',
    '',
    'Measured by `npm run bench` (scripts/bench*.ts) on the machine below; CI runs `npm run bench -- --short`',
    'after the tests and prints the same table. The machine is shared and noisy (other jobs ran while this was',
    'measured): read the ratios of paired runs, not the absolute times. The targets are those of issue 12.',
    '',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC:`,
    ...details,
    '',
    table,
    '',
    readFileSync(join(repo, 'scripts', 'bench-notes.md'), 'utf8').trimEnd(),
    '',
  ].join('\n');
  writeFileSync(join(repo, 'docs', 'performance.md'), doc);
  console.log('wrote docs/performance.md');
}
