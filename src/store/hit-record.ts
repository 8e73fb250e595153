// Hit records: the one file a cache hit reads. When the full CLI answers `get-token` from a disk
// entry, it also keeps that answer, keyed by the exact invocation (argv and the exec apiVersion
// kubectl asked for), in `<cache dir>/<hash>.hit`. The fast path then parses no flags and computes
// no identity: it hashes argv, reads that one file under the trust rule, compares the invocation and
// the environment it depended on, and prints. Any doubt is a miss, and the full CLI answers (and
// writes the record again). A record is bound to the very entry file it was made from (inode,
// size, mtime, checked with one lstat): a refresh, a login, a logout, an older kubecred or a hand
// that changes or removes the entry ends the record at once. Writers of the cache also drop the
// records of the entries they change (token-cache.ts), so stale ones do not pile up.
// Imports only node built-ins and leaves: the fast path reads through it.
import { lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { isPrivateToUs, readPrivateFile, safeUnlink, writeFileAtomic } from './atomic-file.js';
import { defaultCacheDir, tokenFile } from './paths.js';
import { expandHome } from '../exec/paths.js';

export interface HitRecord {
  v: 1;
  /** The invocation, exactly: JSON of [exec apiVersion or "", ...argv after the script]. */
  invocation: string;
  /** Environment variables the answer depended on and their values then (null: unset); never a secret. */
  env: Record<string, string | null>;
  /** Served while the clock is below this: the entry's expiry minus its margin. */
  freshUntilMs: number;
  /** The cache entry the answer came from, and that file as it was then. */
  entryKey: string;
  entryFile: EntryStamp;
  /** The ExecCredential JSON, byte for byte as the full CLI printed it. */
  output: string;
}

/** What identifies one version of an entry file: atomic writes make a new inode, edits a new mtime. */
export interface EntryStamp {
  ino: number;
  size: number;
  mtimeMs: number;
}

const SUFFIX = '.hit';

/**
 * The entry file's stamp, when it is a regular file of ours that no one else can read or write
 * (else undefined: the full CLI repairs or refuses it, and warns).
 */
export function entryStamp(dir: string, key: string): EntryStamp | undefined {
  let st;
  try {
    st = lstatSync(tokenFile(dir, key));
  } catch {
    return undefined;
  }
  if (!st.isFile() || !isPrivateToUs(st)) return undefined;
  return { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs };
}

export function sameStamp(a: EntryStamp | undefined, b: EntryStamp | undefined): boolean {
  return a !== undefined && b !== undefined && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/**
 * What names an invocation, or undefined when KUBERNETES_EXEC_INFO is not JSON with a string
 * apiVersion (the full CLI explains). Absent or empty exec info is "" (the full CLI answers v1beta1).
 */
export function invocationOf(argv: readonly string[], env: Record<string, string | undefined>): string | undefined {
  const raw = env.KUBERNETES_EXEC_INFO;
  let apiVersion: unknown = '';
  if (raw !== undefined && raw !== '') {
    try {
      apiVersion = (JSON.parse(raw) as { apiVersion?: unknown } | null)?.apiVersion;
    } catch {
      return undefined;
    }
  }
  return typeof apiVersion === 'string' ? JSON.stringify([apiVersion, ...argv]) : undefined;
}

/**
 * The cache dir as argv and the environment name it, read without the flag tables: the last
 * `--token-cache-dir` in any of the spellings the parser accepts (`-`/`--`, `=` or a separate value,
 * `_` for `-`), else the default. The full CLI writes a record only where this agrees with its own
 * parse, so an argv this reading gets wrong is merely never a fast hit.
 */
export function hitRecordDir(argv: readonly string[], env: Record<string, string | undefined>): string {
  let given: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.charCodeAt(0) !== 45 /* - */) continue;
    const body = arg.slice(arg.charCodeAt(1) === 45 ? 2 : 1);
    const eq = body.indexOf('=');
    const name = (eq === -1 ? body : body.slice(0, eq)).replace(/_/g, '-');
    if (name !== 'token-cache-dir') continue;
    given = eq === -1 ? argv[++i] : body.slice(eq + 1);
  }
  return given ? expandHome(given, env) : defaultCacheDir(env);
}

/**
 * The record's file: a 64-bit hash of the invocation (two 32-bit multiplicative lanes, FNV-1a's
 * and one with MurmurHash2's multiplier). Not a security boundary: the record holds the invocation
 * itself, compared in full, so a collision is only a miss.
 */
export function hitRecordFile(dir: string, invocation: string): string {
  let a = 0x811c9dc5;
  let b = 0xcbf29ce4;
  for (let i = 0; i < invocation.length; i++) {
    const c = invocation.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return join(dir, (a >>> 0).toString(16).padStart(8, '0') + (b >>> 0).toString(16).padStart(8, '0') + SUFFIX);
}

function parseRecord(text: string): HitRecord | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const r = doc as Partial<HitRecord>;
  if (r.v !== 1 || typeof r.invocation !== 'string' || typeof r.output !== 'string' || typeof r.entryKey !== 'string') return undefined;
  if (typeof r.freshUntilMs !== 'number' || typeof r.env !== 'object' || r.env === null) return undefined;
  // The key becomes a file name: only a key as cacheKey makes it.
  if (!/^[0-9a-f]{64}$/.test(r.entryKey) || typeof r.entryFile !== 'object' || r.entryFile === null) return undefined;
  return r as HitRecord;
}

/** The fast path: the ExecCredential to print for this invocation now, or undefined (a miss). */
export function answerFromHitRecord(argv: readonly string[], env: Record<string, string | undefined>, nowMs: number): string | undefined {
  const invocation = invocationOf(argv, env);
  if (invocation === undefined) return undefined;
  const dir = hitRecordDir(argv, env);
  let text: string;
  try {
    // No repair: a record others could read is a miss; the full CLI's answer replaces it (0600).
    text = readPrivateFile(hitRecordFile(dir, invocation));
  } catch {
    return undefined;
  }
  const record = parseRecord(text);
  if (!record || record.invocation !== invocation || !(nowMs < record.freshUntilMs)) return undefined;
  for (const name in record.env) if ((env[name] ?? null) !== record.env[name]) return undefined;
  if (!sameStamp(entryStamp(dir, record.entryKey), record.entryFile)) return undefined;
  return record.output;
}

/** Keeps a record (0600, atomically). The caller has checked that the dir is its cache dir. */
export function writeHitRecord(dir: string, record: HitRecord): void {
  // A cache of a cache: losing it to a crash costs one full-CLI answer, so no fsync.
  writeFileAtomic(hitRecordFile(dir, record.invocation), JSON.stringify(record), { durable: false });
}

/**
 * Drops the records made from `entryKey` (all of them for `all`), and any that can no longer be
 * served (past their freshness, torn, readable by others, a symlink), so the dir holds about one
 * record per live invocation; another user's file is left alone. Reads a few small files: only
 * writers of the cache pay it.
 */
export function dropHitRecords(dir: string, entryKey: string | 'all', nowMs: number): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.endsWith(SUFFIX)) continue;
    const path = join(dir, name);
    let record: HitRecord | undefined;
    try {
      record = parseRecord(readPrivateFile(path));
    } catch (err) {
      // Another user's file is not ours to delete; one that vanished needs nothing.
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EUNTRUSTED' || code === 'ENOENT') continue;
    }
    if (!record || entryKey === 'all' || record.entryKey === entryKey || !(nowMs < record.freshUntilMs)) safeUnlink(path);
  }
}
