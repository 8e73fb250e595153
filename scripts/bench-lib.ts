// Measuring helpers for the benchmarks: paired runs against `node -e 0`, medians, rows.
import { spawn } from 'node:child_process';
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

/** Asynchronous, so servers living in the bench process (the test IdP) keep answering. */
export function measure(argv: string[], env: NodeJS.ProcessEnv): Promise<Sample> {
  return new Promise((resolveSample, reject) => {
    const child = spawn('python3', [join(import.meta.dirname, 'bench-measure.py'), ...argv], { env });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (code) => (code === 0 ? resolveSample(JSON.parse(out) as Sample) : reject(new Error(`measuring ${argv.join(' ')} failed: ${err}`))));
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Runs `subject` and `node -e 0` alternately; returns medians of both and their ratios. */
export async function comparePaired(name: string, subject: () => Promise<Sample>, pairs = PAIRS) {
  const floor = () => measure([process.execPath, '-e', '0'], process.env);
  for (let i = 0; i < WARMUP; i++) {
    await subject();
    await floor();
  }
  const a: Sample[] = [];
  const b: Sample[] = [];
  for (let i = 0; i < pairs; i++) {
    const s = await subject();
    if (s.code !== 0) throw new Error(`${name} failed: ${s.stderr}`);
    a.push(s);
    b.push(await floor());
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

export type PairedResult = Awaited<ReturnType<typeof comparePaired>>;

export function printRow(r: PairedResult, extra = ''): void {
  console.log(
    `${r.name.padEnd(28)} ${r.wallMs.toFixed(1).padStart(7)} ms ${r.rssMiB.toFixed(1).padStart(6)} MiB | node -e 0 ${r.floorWallMs.toFixed(1).padStart(6)} ms ${r.floorRssMiB
      .toFixed(1)
      .padStart(6)} MiB | ratio wall ${r.wallRatio.toFixed(2)}x rss ${r.rssRatio.toFixed(2)}x${extra}`,
  );
}

