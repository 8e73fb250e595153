// Cross-process lock per cache key: `<dir>/<key>.lock`, held through refresh/login and the cache
// write, so that N kubectl processes started at once (IDEs, Lens) run ONE login and the others reuse
// its result. Built on proper-lockfile (mkdir-based, works on local and network filesystems and on
// Windows), loaded lazily: only a cache miss needs it.
import { ensurePrivateDir } from './atomic-file.js';
import { lockPath, tokenFile } from './paths.js';

export interface KeyLockOptions {
  /** Called once if the lock is busy, so the caller can say "waiting for another kubecred…". */
  onWait?: () => void;
  /** Give up after this long (default 10 minutes: an interactive login may be under way). */
  timeoutMs?: number;
  /**
   * @internal Tests only: how old the lock's mtime must be before it counts as abandoned
   * (proper-lockfile enforces at least 2000 ms). Default STALE_MS.
   */
  staleMs?: number;
}

/**
 * A holder refreshes the lock's mtime every UPDATE_MS (proper-lockfile does it on a timer while the
 * process lives); a lock whose mtime is older than STALE_MS belongs to a dead process (SIGKILL,
 * power loss, OOM killer) and is taken over. 10 s bounds how long a crashed kubecred can block the
 * others, while leaving a live holder 5 s of slack (stale - update) for a blocked event loop, a
 * suspended laptop resuming or a slow network filesystem before it would wrongly be considered dead.
 */
export const STALE_MS = 10_000;
export const UPDATE_MS = STALE_MS / 2;
export const DEFAULT_LOCK_TIMEOUT_MS = 10 * 60_000;

const FIRST_POLL_MS = 50;
const MAX_POLL_MS = 500;

type ProperLockfile = typeof import('proper-lockfile');
let loaded: Promise<ProperLockfile> | undefined;

function loadLockfile(): Promise<ProperLockfile> {
  // proper-lockfile is CommonJS: its module.exports is the default export.
  loaded ??= import('proper-lockfile').then((m) => ((m as { default?: ProperLockfile }).default ?? m) as ProperLockfile);
  return loaded;
}

function describeDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000) return `${Math.round(ms / 1000)}s`;
  return `${ms}ms`;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs fn while holding the lock for `key` in `dir`. Waits (polling with backoff) while another
 * live process holds it; takes over a lock abandoned by a dead process after STALE_MS. The lock is
 * released when fn settles, whatever the outcome.
 */
export async function withKeyLock<T>(dir: string, key: string, fn: () => Promise<T>, options: KeyLockOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const stale = Math.max(options.staleMs ?? STALE_MS, 2000);
  const path = lockPath(dir, key);
  ensurePrivateDir(dir);
  const lockfile = await loadLockfile();

  const lockOptions = {
    stale,
    update: stale / 2,
    realpath: false,
    retries: 0,
    lockfilePath: path,
    // proper-lockfile's default throws from a timer (an uncaught exception). The lock can only be
    // compromised if our process stalled for longer than `stale` or someone removed the lock
    // directory: the work under way is still ours to finish, and the cache write is atomic anyway.
    onCompromised: () => {},
  };

  const deadline = Date.now() + timeoutMs;
  let waited = false;
  let poll = FIRST_POLL_MS;
  let release: () => Promise<void>;
  for (;;) {
    try {
      release = await lockfile.lock(tokenFile(dir, key), lockOptions);
      break;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ELOCKED') {
        throw new Error(`cannot create the lock ${path} (${code ?? (err as Error).message}): check that you can write to ${dir}`);
      }
    }
    if (!waited) {
      waited = true;
      options.onWait?.();
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new Error(`another kubecred has held ${path} for ${describeDuration(timeoutMs)}; remove it if no kubecred is running`);
    }
    // Jitter keeps a crowd of waiters from retrying in lockstep.
    await sleep(Math.min(left, poll * (0.75 + Math.random() / 2)));
    poll = Math.min(poll * 2, MAX_POLL_MS);
  }

  try {
    return await fn();
  } finally {
    try {
      await release();
    } catch {
      // Already released (compromised, or removed by someone else): nothing left to undo.
    }
  }
}
