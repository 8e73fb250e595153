// "After a login that failed or was abandoned, other invocations within 30 s fail fast with that
// reason": without it, an IDE that runs kubectl in a loop would open a browser tab (or prompt) per
// run. One small JSON file per key, `<dir>/<key>.failed` = {reason, at}, 0600, written atomically.
//
// The reason is shown to other invocations and kept on disk: callers must pass a one-line
// human message that contains NO secret (no token, password, code, client secret, URL with query).
import { ensurePrivateDir, readPrivateFile, safeUnlink, writeFileAtomic } from './atomic-file.js';
import { failureFile } from './paths.js';
import { scrubServerText } from '../shared/scrub.js';

export const FAILURE_WINDOW_MS = 30_000;
const MAX_REASON = 500;

/** One printable line; any secret we sent that a server echoed into the reason is removed too. */
function oneLine(reason: string): string {
  return scrubServerText(reason, MAX_REASON);
}

/** Records that the login for `key` just failed. `reason` must not contain a secret. */
export function recordFailure(dir: string, key: string, reason: string, nowMs: number): void {
  try {
    ensurePrivateDir(dir);
    writeFileAtomic(failureFile(dir, key), JSON.stringify({ reason: oneLine(reason) || 'login failed', at: nowMs }) + '\n', {
      durable: false,
    });
  } catch {
    // The marker only saves work; a full or read-only disk must not hide the login's own error.
  }
}

/**
 * The reason of a failure recorded less than windowMs before nowMs, else undefined. Anything
 * unreadable, malformed or dated in the future (clock set back) counts as no failure: the marker
 * only ever saves work, it must never lock a user out.
 */
export function recentFailure(dir: string, key: string, nowMs: number, windowMs = FAILURE_WINDOW_MS): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(readPrivateFile(failureFile(dir, key)));
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const { reason, at } = doc as { reason?: unknown; at?: unknown };
  if (typeof reason !== 'string' || typeof at !== 'number' || !Number.isFinite(at)) return undefined;
  const age = nowMs - at;
  return age >= 0 && age < windowMs ? reason : undefined;
}

export function clearFailure(dir: string, key: string): void {
  safeUnlink(failureFile(dir, key));
}
