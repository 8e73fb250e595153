// Runs the built kubecred (bin/kubecred.cjs → dist/) as kubectl would, in an isolated HOME.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..', '..');
export const kubecredBin = join(repoRoot, 'bin', 'kubecred.cjs');

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

const tempDirs: string[] = [];

/**
 * A fresh directory under the system's tmpdir, removed when this test process exits (each test file
 * runs in its own process): a suite run leaves no directories behind to fill /tmp.
 */
export function testTempDir(prefix: string): string {
  if (tempDirs.length === 0) process.on('exit', () => tempDirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** A fresh HOME with ~/.kube and a KUBECACHEDIR inside, so no test touches the user's files. */
export function isolatedHome(prefix = 'kubecred-test-'): { home: string; env: Record<string, string> } {
  const home = testTempDir(prefix);
  mkdirSync(join(home, '.kube'), { recursive: true, mode: 0o700 });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    KUBECACHEDIR: join(home, '.kube', 'cache'),
    KUBECONFIG: join(home, '.kube', 'config'),
  };
  return { home, env };
}

export function runKubecred(
  args: string[],
  options: { env: Record<string, string | undefined>; input?: string; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [kubecredBin, ...args], {
      env: options.env as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}
