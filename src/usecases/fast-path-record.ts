// After the full CLI answers `get-token`, it keeps the answer as a hit record (store/hit-record.ts)
// when the fast path may give the same answer on its own: the exact argv, a disk entry, nothing
// that must run the full CLI each time (--force-refresh, -v), and a cache dir the fast path finds
// without the flag tables. Best effort: an answer is never lost to a record that cannot be written.
import type { FlagSpec } from '../exec/flags.js';
import type { CommonOptions } from '../exec/common-options.js';
import type { TokenStorage } from '../store/token-cache.js';
import { readEntry, type CacheEntry } from '../store/token-cache.js';
import { entryStamp, hitRecordDir, invocationOf, sameStamp, writeHitRecord } from '../store/hit-record.js';

export interface FastPathAnswer {
  /** argv as the kubecred bin got it (`get-token <kind> …`), or undefined: keep nothing. */
  argv: readonly string[] | undefined;
  env: Record<string, string | undefined>;
  flags: readonly FlagSpec[];
  common: CommonOptions;
  /** Where the token store keeps credentials for this run. */
  storage: TokenStorage;
  key: string;
  entry: CacheEntry;
  output: string;
  marginMs: number;
}

/** What besides argv decides the answer: the flags' variables (OS_AUTH_URL, …) and where `~` and the cache are. */
function variablesOf(flags: readonly FlagSpec[]): string[] {
  const names = new Set(['HOME', 'USERPROFILE', 'KUBECACHEDIR']);
  for (const spec of flags) for (const name of spec.env ?? []) names.add(name);
  return [...names];
}

export function keepForFastPath(a: FastPathAnswer): void {
  const { argv, env, common } = a;
  if (!argv || common.forceRefresh || common.verbose) return;
  // Asked for the keyring, the credential stays off disk (the store's fallback says so each run).
  if (a.storage !== 'disk' || (common.storage !== 'disk' && !common.storageAuto)) return;
  if (hitRecordDir(argv, env) !== common.cacheDir) return;
  const invocation = invocationOf(argv, env);
  if (invocation === undefined) return;
  // Bound to the entry file exactly as it holds the answered entry: stamped before and after
  // reading it, so a refresh or logout meanwhile leaves no record that could be served.
  const stamp = entryStamp(common.cacheDir, a.key);
  const now = readEntry(common.cacheDir, a.key);
  if (now.status !== 'hit' || now.entry.obtainedAt !== a.entry.obtainedAt || now.entry.expiresAt !== a.entry.expiresAt) return;
  if (!sameStamp(stamp, entryStamp(common.cacheDir, a.key))) return;
  const recorded: Record<string, string | null> = {};
  for (const name of variablesOf(a.flags)) recorded[name] = env[name] ?? null;
  try {
    writeHitRecord(common.cacheDir, {
      v: 1,
      invocation,
      env: recorded,
      freshUntilMs: Date.parse(a.entry.expiresAt) - a.marginMs,
      entryKey: a.key,
      entryFile: stamp!,
      output: a.output,
    });
  } catch {
    // A read-only or full disk: the answer is printed all the same.
  }
}
