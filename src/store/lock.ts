// Cross-process lock per cache key: `<dir>/<key>.lock`, held through refresh/login and the cache
// write, so that N kubectl processes started at once (IDEs, Lens) run ONE login and the others reuse
// its result. A directory created with mkdir (atomic on local and network filesystems and on
// Windows), its mtime refreshed while held. Waiters watch the cache directory and retry the moment
// the holder removes the lock, with a slow poll behind the watch for filesystems that send no
// events (NFS, some container mounts). Node built-ins only: proper-lockfile and graceful-fs cost a
// refresh ~10 ms of module loading for the same four system calls.
import { lstatSync, mkdirSync, rmdirSync, utimesSync, watch, type FSWatcher } from 'node:fs';
import { basename } from 'node:path';
import { ensurePrivateDir } from './atomic-file.js';
import { lockPath } from './paths.js';

export interface KeyLockOptions {
  /** Called once if the lock is busy, so the caller can say "waiting for another kubecred…". */
  onWait?: () => void;
  /** Give up after this long (default 10 minutes: an interactive login may be under way). */
  timeoutMs?: number;
  /**
   * @internal Tests only: how old the lock's mtime must be before it counts as abandoned (at least
   * MIN_STALE_MS). Default STALE_MS.
   */
  staleMs?: number;
  /** @internal Tests only: the fallback poll's first and longest interval (default 50 ms doubling to 500 ms). */
  pollMs?: number;
}

/**
 * A holder refreshes the lock's mtime every UPDATE_MS (on a timer while the process lives); a lock
 * whose mtime is older than STALE_MS belongs to a dead process (SIGKILL, power loss, OOM killer)
 * and is taken over. 10 s bounds how long a crashed kubecred can block the others, while leaving a
 * live holder 5 s of slack (stale - update) for a blocked event loop, a suspended laptop resuming
 * or a slow network filesystem before it would wrongly be considered dead.
 */
export const STALE_MS = 10_000;
export const UPDATE_MS = STALE_MS / 2;
export const DEFAULT_LOCK_TIMEOUT_MS = 10 * 60_000;
/** Below this, a holder's mtime refresh (every stale / 2) could lose a race with a coarse-mtime filesystem. */
const MIN_STALE_MS = 2000;

const FIRST_POLL_MS = 50;
/** The poll behind the watch: only filesystems without change events rely on it. */
const MAX_POLL_MS = 500;

function describeDuration(ms: number): string {
  if (ms >= 60_000 && ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms >= 1000) return `${Math.round(ms / 1000)}s`;
  return `${ms}ms`;
}

const errnoCode = (err: unknown) => (err as NodeJS.ErrnoException).code;

/** One attempt: true if we now hold the lock; a stale lock is removed and taken over. */
function tryLock(path: string, dir: string, staleMs: number): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(path, { mode: 0o700 });
      return true;
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') {
        throw new Error(`cannot create the lock ${path} (${errnoCode(err) ?? (err as Error).message}): check that you can write to ${dir}`);
      }
    }
    if (attempt > 0) return false;
    let mtimeMs: number;
    try {
      const st = lstatSync(path);
      if (!st.isDirectory()) throw new Error(`${path} is not a lock directory kubecred made: remove it`);
      mtimeMs = st.mtimeMs;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') continue; // released meanwhile: try once more
      throw err;
    }
    if (mtimeMs >= Date.now() - staleMs) return false;
    // Abandoned by a dead process. Two waiters seeing it stale at once may both get here; the
    // second's rmdir then fails (ENOENT) or, in a window of microseconds, removes the first's new
    // lock: at worst two refreshes run, and every cache write is atomic.
    try {
      rmdirSync(path);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT')
        throw new Error(`cannot remove the abandoned lock ${path} (${errnoCode(err) ?? (err as Error).message}): remove it yourself`);
    }
  }
  return false;
}

/** Resolves on the first change to `name` in `dir` since the last wait, or after `ms`. */
class ReleaseWatch {
  private watcher: FSWatcher | undefined;
  private changed = false;
  private wake: (() => void) | undefined;

  constructor(dir: string, name: string) {
    try {
      this.watcher = watch(dir, { persistent: false }, (_event, file) => {
        if (file !== null && file !== undefined && String(file) !== name) return;
        this.changed = true;
        this.wake?.();
      });
      this.watcher.on('error', () => this.close());
    } catch {
      // No watching here (inotify limits, an exotic filesystem): the poll alone does the job.
    }
  }

  wait(ms: number): Promise<void> {
    if (this.changed) {
      this.changed = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wake = undefined;
        self.changed = false;
        resolve();
      }
      this.wake = done;
    });
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }
}

/** While held: keep the mtime fresh, and remove the lock if the process exits or is interrupted. */
function hold(path: string, updateMs: number): () => void {
  const timer = setInterval(() => {
    const now = new Date();
    try {
      utimesSync(path, now, now);
    } catch {
      // Removed by someone else, or the filesystem hiccuped: the work under way is still ours to
      // finish, and the cache write is atomic anyway.
    }
  }, updateMs);
  timer.unref();
  const remove = () => {
    try {
      rmdirSync(path);
    } catch {
      // Already gone (taken over as stale after a long stall, or removed by hand).
    }
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const onSignal = (signal: NodeJS.Signals) => {
    release();
    // Die of the signal as if we had not been listening (kubectl sees the usual exit status).
    process.kill(process.pid, signal);
  };
  const release = () => {
    clearInterval(timer);
    process.off('exit', remove);
    for (const s of signals) process.off(s, onSignal);
    remove();
  };
  process.on('exit', remove);
  // Only while nobody else listens: an application that handles signals itself keeps control.
  for (const s of signals) if (process.listenerCount(s) === 0) process.on(s, onSignal);
  return release;
}

/**
 * Runs fn while holding the lock for `key` in `dir`. Waits while another live process holds it,
 * waking when the holder releases; takes over a lock abandoned by a dead process after STALE_MS.
 * The lock is released when fn settles, whatever the outcome.
 */
export async function withKeyLock<T>(dir: string, key: string, fn: () => Promise<T>, options: KeyLockOptions = {}): Promise<T> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS;
  const stale = Math.max(options.staleMs ?? STALE_MS, MIN_STALE_MS);
  const path = lockPath(dir, key);
  ensurePrivateDir(dir);

  if (!tryLock(path, dir, stale)) {
    options.onWait?.();
    const deadline = Date.now() + timeoutMs;
    const released = new ReleaseWatch(dir, basename(path));
    try {
      let poll = options.pollMs ?? FIRST_POLL_MS;
      const maxPoll = options.pollMs ?? MAX_POLL_MS;
      for (;;) {
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(`another kubecred has held ${path} for ${describeDuration(timeoutMs)}; remove it if no kubecred is running`);
        }
        // Jitter keeps a crowd of pollers from retrying in lockstep.
        await released.wait(Math.min(left, poll * (0.75 + Math.random() / 2)));
        poll = Math.min(poll * 2, maxPoll);
        if (tryLock(path, dir, stale)) break;
      }
    } finally {
      released.close();
    }
  }

  const release = hold(path, stale / 2);
  try {
    return await fn();
  } finally {
    release();
  }
}
