// Where kubecred keeps things. Imports only node built-ins: cache-hit path.
import { join } from 'node:path';

/** `$KUBECACHEDIR/kubecred`, else `~/.kube/cache/kubecred` — beside kubectl's own caches. */
export function defaultCacheDir(env: Record<string, string | undefined>): string {
  // HOME first: node:os costs a few ms on the cache-hit path and says the same on Unix.
  const base = env.KUBECACHEDIR ? env.KUBECACHEDIR : join(env.HOME || homeDirectory(), '.kube', 'cache');
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

/** os.homedir(), loaded only when HOME is unset (process.getBuiltinModule: Node >= 20.16). */
function homeDirectory(): string {
  return (process.getBuiltinModule('node:os') as typeof import('node:os')).homedir();
}
