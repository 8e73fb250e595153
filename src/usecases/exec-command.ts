// Which `command` the kubeconfig's exec entry runs. A bare `kubecred` keeps the kubeconfig portable
// (another machine, a new Node version), but only if `kubecred` on PATH is this installation;
// otherwise the absolute path of the running launcher is the one that surely works.
import { UsageError } from '../shared/errors.js';
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join, resolve } from 'node:path';

export interface ResolvedExecCommand {
  command: string;
  /** One line for stderr: which command and why. */
  reason: string;
}

export type ExecApiVersion = 'client.authentication.k8s.io/v1' | 'client.authentication.k8s.io/v1beta1';

/**
 * `v1` (default, kubectl >= 1.22) or `v1beta1` (older kubectl, e.g. Debian 11's 1.20, which knows
 * nothing else). Full names are accepted too.
 */
export function parseExecApiVersion(text: string | undefined): ExecApiVersion {
  if (text === undefined || text === '' || text === 'v1' || text === 'client.authentication.k8s.io/v1')
    return 'client.authentication.k8s.io/v1';
  if (text === 'v1beta1' || text === 'client.authentication.k8s.io/v1beta1') return 'client.authentication.k8s.io/v1beta1';
  throw new UsageError(`--exec-api-version takes v1 or v1beta1 (for kubectl older than 1.22), not ${JSON.stringify(text)}`);
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    if (process.platform !== 'win32') accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function real(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

/** The first executable `kubecred` on PATH, as found (not resolved). */
export function findOnPath(name: string, env: Record<string, string | undefined>): string | undefined {
  const exts = process.platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').map((e) => e.toLowerCase()) : [''];
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir === '' || !isAbsolute(dir)) continue; // a relative PATH entry would make the kubeconfig depend on the cwd
    for (const ext of exts) {
      const candidate = join(dir, name + ext);
      if (isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/**
 * `explicit` (--exec-command) wins. Otherwise `kubecred` when the PATH hit is this installation
 * (same real path as the running launcher, or a sibling launcher in the same bin/ directory, e.g.
 * kubectl-cred), else the absolute real path of the running launcher (npm makes it executable; a
 * launcher that is not gets a `chmod +x` hint in the reason).
 */
export function resolveExecCommand(input: {
  explicit?: string;
  env: Record<string, string | undefined>;
  launcherPath: string;
}): ResolvedExecCommand {
  if (input.explicit !== undefined) {
    const text = input.explicit.trim();
    if (text === '') throw new UsageError('--exec-command needs a command name or path');
    // kubectl would read a relative path relative to the kubeconfig's directory; the user meant the cwd.
    const command = text.includes('/') && !isAbsolute(text) ? resolve(text) : text;
    return { command, reason: `exec command: ${command} (from --exec-command)` };
  }
  const launcher = real(input.launcherPath) ?? resolve(input.launcherPath);
  const hit = findOnPath('kubecred', input.env);
  const hitReal = hit ? real(hit) : undefined;
  if (hit && hitReal && (hitReal === launcher || dirname(hitReal) === dirname(launcher))) {
    return { command: 'kubecred', reason: `exec command: kubecred (${hit} on PATH is this installation)` };
  }
  const why = hit ? `kubecred on PATH (${hit}) is another installation` : 'kubecred is not on PATH';
  const fix = 'for a portable kubeconfig, put this kubecred first on PATH and run setup-context again';
  const chmod = isExecutableFile(launcher) ? '' : `; it is not executable: chmod +x ${launcher}`;
  return { command: launcher, reason: `exec command: ${launcher} (${why}; ${fix}${chmod})` };
}
