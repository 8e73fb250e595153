// Measuring helpers for the benchmarks: one measured child at a time (wall and peak RSS), A/B
// pairs against a baseline after a warm-up, medians with the p25–p75 spread, table rows.
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export interface Sample {
  wall_ms: number;
  cpu_ms: number;
  max_rss_kib: number;
  code: number;
  stderr: string;
}

export const SHORT = process.argv.includes('--short');
export const PAIRS = Number(process.env.BENCH_PAIRS ?? (SHORT ? 8 : 30));
export const WARMUP = SHORT ? 2 : 5;
export const repo = join(import.meta.dirname, '..');
export const bin = join(repo, 'bin', 'kubecred.cjs');
/** KUBERNETES_EXEC_INFO as kubectl hands it to a plugin when no terminal is attached. */
export const EXEC_INFO = JSON.stringify({
  apiVersion: 'client.authentication.k8s.io/v1',
  kind: 'ExecCredential',
  spec: { interactive: false },
});

/**
 * Runs argv under scripts/bench-measure.py: wall time around the child alone, and its peak RSS
 * from getrusage(RUSAGE_CHILDREN) (the kernel's figure; Node cannot read a child's). Asynchronous,
 * so servers living in the bench process (the IdP, the API server) keep answering.
 */
export function measure(argv: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  return new Promise((resolveSample, reject) => {
    const child = spawn('python3', [join(import.meta.dirname, 'bench-measure.py'), ...argv], { env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) =>
      code === 0 ? resolveSample(JSON.parse(out) as Sample) : reject(new Error(`measuring ${argv.join(' ')} failed: ${err}`)),
    );
  });
}

export function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export interface Stats {
  median: number;
  p25: number;
  p75: number;
}

export function stats(xs: number[]): Stats {
  return { median: quantile(xs, 0.5), p25: quantile(xs, 0.25), p75: quantile(xs, 0.75) };
}

export interface Paired {
  name: string;
  pairs: number;
  wall: Stats;
  rssMiB: Stats;
  base: { wall: Stats; rssMiB: Stats };
  /** Median of the per-pair ratios (each pair ran back to back, so the machine's drift cancels). */
  wallRatio: Stats;
  /** Median of the per-pair CPU-time ratios: steadier than wall on a loaded machine. */
  cpuRatio: Stats;
  rssRatio: number;
}

/**
 * `node -e 0` in the subject's environment: an inherited NODE_EXTRA_CA_CERTS alone (this machine
 * sets one) makes every Node start read a CA bundle, which would flatter any subject run without it.
 */
export const nodeFloor = (env: NodeJS.ProcessEnv) => (): Promise<Sample> => measure([process.execPath, '-e', '0'], env);

/**
 * Runs `subject` and `baseline` alternately (which goes first alternates too) after WARMUP rounds
 * of each; a subject that fails aborts the bench, its timing never does.
 */
export async function comparePaired(
  name: string,
  subject: () => Promise<Sample>,
  baseline: () => Promise<Sample>,
  pairs = PAIRS,
): Promise<Paired> {
  for (let i = 0; i < WARMUP; i++) {
    await subject();
    await baseline();
  }
  const a: Sample[] = [];
  const b: Sample[] = [];
  for (let i = 0; i < pairs; i++) {
    const order = i % 2 === 0 ? [subject, baseline] : [baseline, subject];
    const first = await order[0]!();
    const second = await order[1]!();
    const [s, f] = i % 2 === 0 ? [first, second] : [second, first];
    if (s.code !== 0) throw new Error(`${name} failed (exit ${s.code}): ${s.stderr}`);
    if (f.code !== 0) throw new Error(`${name}: the baseline failed (exit ${f.code}): ${f.stderr}`);
    a.push(s);
    b.push(f);
  }
  const mib = (xs: Sample[]) => stats(xs.map((s) => s.max_rss_kib / 1024));
  const wall = stats(a.map((s) => s.wall_ms));
  const rssMiB = mib(a);
  const base = { wall: stats(b.map((s) => s.wall_ms)), rssMiB: mib(b) };
  return {
    name,
    pairs,
    wall,
    rssMiB,
    base,
    wallRatio: stats(a.map((s, i) => s.wall_ms / b[i]!.wall_ms)),
    cpuRatio: stats(a.map((s, i) => s.cpu_ms / b[i]!.cpu_ms)),
    rssRatio: rssMiB.median / base.rssMiB.median,
  };
}

/** One line of docs/performance.md's table. */
export interface Row {
  scenario: string;
  measured: string;
  baseline: string;
  ratio: string;
  target: string;
  /** undefined: informational, no target. */
  holds?: boolean;
  note?: string;
}

const ms = (s: Stats) => `${s.median.toFixed(1)} ms (${s.p25.toFixed(1)}–${s.p75.toFixed(1)})`;
const mib = (s: Stats) => `${s.median.toFixed(1)} MiB`;

/** A paired result as a row against wall (and optionally RSS) targets. */
export function pairedRow(p: Paired, target: { wall?: number; rss?: number; baselineName?: string; note?: string }): Row {
  const wallOk = target.wall === undefined || p.wallRatio.median <= target.wall;
  const rssOk = target.rss === undefined || p.rssRatio <= target.rss;
  const targets = [
    target.wall !== undefined ? `≤ ${target.wall.toFixed(2)}× wall` : '',
    target.rss !== undefined ? `≤ ${target.rss.toFixed(2)}× RSS` : '',
  ].filter(Boolean);
  return {
    scenario: p.name,
    measured: `${ms(p.wall)}, ${mib(p.rssMiB)}`,
    baseline: `${target.baselineName ?? 'node -e 0'}: ${ms(p.base.wall)}, ${mib(p.base.rssMiB)}`,
    ratio: `${p.wallRatio.median.toFixed(2)}× (${p.wallRatio.p25.toFixed(2)}–${p.wallRatio.p75.toFixed(2)}) wall, ${p.cpuRatio.median.toFixed(2)}× CPU, ${p.rssRatio.toFixed(2)}× RSS`,
    target: targets.join(', ') || '—',
    holds: targets.length ? wallOk && rssOk : undefined,
    note: target.note,
  };
}

export function formatTable(rows: Row[]): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = ['| scenario | measured: median (p25–p75), peak RSS | baseline | ratio | target | holds |', '|---|---|---|---|---|---|'];
  for (const r of rows) {
    const holds = r.holds === undefined ? '—' : r.holds ? 'yes' : '**no**';
    lines.push(
      `| ${esc(r.scenario)}${r.note ? ` <br>*${esc(r.note)}*` : ''} | ${esc(r.measured)} | ${esc(r.baseline)} | ${esc(r.ratio)} | ${esc(r.target)} | ${holds} |`,
    );
  }
  return lines.join('\n');
}

/** Prints a row as soon as it is measured (CI's log shows progress even if a later scenario fails). */
export function announce(row: Row): void {
  const holds = row.holds === undefined ? '' : row.holds ? '  [target holds]' : '  [TARGET MISSED]';
  console.log(
    `${row.scenario}: ${row.measured} | ${row.baseline} | ${row.ratio} | target ${row.target}${holds}${row.note ? ` (${row.note})` : ''}`,
  );
}
