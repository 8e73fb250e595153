// A cache dir we cannot write to (full disk, read-only mount, quota) must not cost the user the
// credential just obtained: get-token prints it anyway and says once why it was not kept.
import { accessSync, constants } from 'node:fs';
import { dirname } from 'node:path';
import { withKeyLock, type KeyLockOptions } from './lock.js';

const UNWRITABLE_CODES = new Set(['ENOSPC', 'EROFS', 'EDQUOT', 'EACCES', 'EPERM']);

/** Whether err means "this dir cannot take writes now" (as opposed to a bug or a hostile file). */
export function isUnwritable(err: unknown, dir?: string): boolean {
  if (UNWRITABLE_CODES.has((err as NodeJS.ErrnoException)?.code ?? '')) return true;
  // A recursive mkdir on a read-only mount reports ENOENT: ask the dir itself.
  return dir !== undefined && unwritableReason(dir) !== undefined;
}

let warned = false;

/** One warning per process, whichever store noticed first. */
export function warnUnwritable(dir: string, err: unknown, notice: (message: string) => void): void {
  if (warned) return;
  warned = true;
  const code = (err as NodeJS.ErrnoException).code ?? String(err);
  notice(
    `kubecred: warning: cannot write to ${dir} (${code}); the credential is printed but not kept, so the next run must get a new one: free space or make it writable`,
  );
}

/**
 * Why `dir` (or, while it does not exist, its nearest existing parent) cannot be written to now
 * (EROFS, EACCES, …), or undefined.
 */
export function unwritableReason(dir: string): NodeJS.ErrnoException | undefined {
  for (let d = dir; ; d = dirname(d)) {
    try {
      accessSync(d, constants.W_OK);
      return undefined;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code !== 'ENOENT') return isUnwritable(e) ? e : undefined;
      if (dirname(d) === d) return undefined;
    }
  }
}

/**
 * withKeyLock, except in a cache dir no lock can be created in: then fn runs unlocked (nothing
 * will be written for another process to race with) after one warning.
 */
export function withKeyLockIfWritable<T>(
  dir: string,
  key: string,
  fn: () => Promise<T>,
  options: KeyLockOptions,
  notice: (message: string) => void,
): Promise<T> {
  const reason = unwritableReason(dir);
  if (!reason) return withKeyLock(dir, key, fn, options);
  warnUnwritable(dir, reason, notice);
  return fn();
}
