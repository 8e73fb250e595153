// Where a secret must never show up: argv of any process (sampled from /proc while tests run, and
// logged by a wrapper kubectl runs instead of kubecred), files outside the secret store, output.
import { chmodSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubecredBin } from '../cli.js';

export interface ArgvWatch {
  /** Processes seen so far whose argv held a secret (pid and which secret, by index). */
  stop(): { hits: Array<{ pid: string; secret: number }>; samples: number };
}

/** Samples every process's argv every few ms until stopped (Linux /proc). */
export function watchArgv(secrets: readonly string[]): ArgvWatch {
  const hits: Array<{ pid: string; secret: number }> = [];
  let samples = 0;
  const sample = () => {
    samples++;
    let pids: string[];
    try {
      pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
    } catch {
      return;
    }
    for (const pid of pids) {
      let cmdline: string;
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        continue; // exited meanwhile
      }
      secrets.forEach((s, i) => {
        if (s && cmdline.includes(s)) hits.push({ pid, secret: i });
      });
    }
  };
  // unref: a test that fails before stop() must not keep the test process alive.
  const timer = setInterval(sample, 5);
  timer.unref();
  sample();
  return {
    stop() {
      clearInterval(timer);
      sample();
      return { hits, samples };
    },
  };
}

/**
 * An exec command for the kubeconfig that appends its argv (one JSON line per run) to `logFile`
 * and then runs the built kubecred: proves what kubectl really passed us.
 */
export function argvLoggingWrapper(dir: string, logFile: string): string {
  // Named kubecred, so login/logout/cache reset --context recognise the exec entry as ours.
  mkdirSync(join(dir, 'bin'), { recursive: true });
  const path = join(dir, 'bin', 'kubecred');
  const script = [
    `#!${process.execPath}`,
    `require('fs').appendFileSync(${JSON.stringify(logFile)}, JSON.stringify(process.argv.slice(2)) + '\\n');`,
    `process.argv.splice(1, 1, ${JSON.stringify(kubecredBin)});`,
    `require(${JSON.stringify(kubecredBin)});`,
  ].join('\n');
  writeFileSync(path, script + '\n');
  chmodSync(path, 0o755);
  return path;
}

/** Files under `dir` (not under `exclude`) whose bytes contain any of the secrets. */
export function filesContaining(dir: string, secrets: readonly string[], exclude: readonly string[] = []): string[] {
  const found: string[] = [];
  const walk = (d: string) => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(d, name);
      if (exclude.includes(p)) continue;
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) walk(p);
      else if (st.isFile()) {
        const text = readFileSync(p, 'latin1');
        if (secrets.some((s) => s && text.includes(Buffer.from(s, 'utf8').toString('latin1')))) found.push(p);
      }
    }
  };
  walk(dir);
  return found;
}
