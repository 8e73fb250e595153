// Errors of kubeconfig handling, and how files are named in messages.
import { homedir } from 'node:os';
import { sep } from 'node:path';

/** A runtime problem with a kubeconfig file (exit code 1); the message is one line with the fix. */
export class KubeconfigError extends Error {
  readonly exitCode = 1;
}

/** `/home/ana/.kube/config` → `~/.kube/config`, for messages. */
export function displayPath(path: string, home: string | undefined = process.env.HOME || homedir()): string {
  if (!home) return path;
  const h = home.endsWith(sep) ? home.slice(0, -1) : home;
  if (path === h) return '~';
  return path.startsWith(h + sep) ? `~${path.slice(h.length)}` : path;
}
