// Where kubecred keeps things. Imports only node:path and a leaf: the cache-hit path finds its
// hit record here.
import { join } from 'node:path';
import { homeDirectory } from '../exec/paths.js';

/** `$KUBECACHEDIR/kubecred`, else `~/.kube/cache/kubecred` — beside kubectl's own caches. */
export function defaultCacheDir(env: Record<string, string | undefined>): string {
  const base = env.KUBECACHEDIR ? env.KUBECACHEDIR : join(homeDirectory(env), '.kube', 'cache');
  return join(base, 'kubecred');
}

export function tokenFile(dir: string, key: string): string {
  return join(dir, `${key}.json`);
}

export function lockPath(dir: string, key: string): string {
  return join(dir, `${key}.lock`);
}

export function failureFile(dir: string, key: string): string {
  return join(dir, `${key}.failed`);
}

/** The disk secret store (used only when no keyring is reachable) sits apart from the token cache. */
export function secretsDir(dir: string): string {
  return join(dir, 'secrets');
}
