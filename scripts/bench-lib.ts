// Measuring helpers for the benchmarks: paired runs against `node -e 0`, medians, rows.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export interface Sample {
  wall_ms: number;
  max_rss_kib: number;
  code: number;
  stderr: string;
}

export const PAIRS = Number(process.env.BENCH_PAIRS ?? 30);
export const WARMUP = 5;
export const bin = join(import.meta.dirname, '..', 'bin', 'kubecred.cjs');

export function measure(argv: string[], env: NodeJS.ProcessEnv): Sample {
  const r = spawnSync('python3', [join(import.meta.dirname, 'bench-measure.py'), ...argv], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`measuring ${argv.join(' ')} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Sample;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs `subject` and `node -e 0` alternately; returns medians of both and their ratios. */
export function comparePaired(name: string, subject: () => Sample, pairs = PAIRS) {
  const floor = () => measure([process.execPath, '-e', '0'], process.env);
  for (let i = 0; i < WARMUP; i++) {
    subject();
    floor();
  }
  const a: Sample[] = [];
  const b: Sample[] = [];
  for (let i = 0; i < pairs; i++) {
    const s = subject();
    if (s.code !== 0) throw new Error(`${name} failed: ${s.stderr}`);
    a.push(s);
    b.push(floor());
  }
  const row = {
    name,
    pairs,
    wallMs: median(a.map((s) => s.wall_ms)),
    rssMiB: median(a.map((s) => s.max_rss_kib)) / 1024,
    floorWallMs: median(b.map((s) => s.wall_ms)),
    floorRssMiB: median(b.map((s) => s.max_rss_kib)) / 1024,
  };
  return { ...row, wallRatio: row.wallMs / row.floorWallMs, rssRatio: row.rssMiB / row.floorRssMiB };
}

export function printRow(r: ReturnType<typeof comparePaired>, extra = ''): void {
  console.log(
    `${r.name.padEnd(28)} ${r.wallMs.toFixed(1).padStart(7)} ms ${r.rssMiB.toFixed(1).padStart(6)} MiB | node -e 0 ${r.floorWallMs.toFixed(1).padStart(6)} ms ${r.floorRssMiB
      .toFixed(1)
      .padStart(6)} MiB | ratio wall ${r.wallRatio.toFixed(2)}x rss ${r.rssRatio.toFixed(2)}x${extra}`,
  );
}

