// The token cache: one JSON file per key, 0600 in a 0700 dir. Each write or removal of an entry
// drops the hit records made from it (hit-record.ts), which is what the fast path reads.
import { readdirSync } from 'node:fs';
import type { CredentialMaterial } from '../exec/exec-credential.js';
import type { Identity } from './cache-key.js';
import {
  describeReadError,
  ensurePrivateDir,
  readPrivateFile,
  removeStaleTempFiles,
  safeUnlink,
  writeFileAtomic,
  type TrustedReadOptions,
} from './atomic-file.js';
import { failureFile, tokenFile } from './paths.js';
import { dropHitRecords } from './hit-record.js';

export type TokenStorage = 'disk' | 'keyring' | 'none';

export interface CacheEntry {
  v: 1;
  provider: string;
  /** The settings the key was computed from (never a secret): shown by `cache list`. */
  identity: Identity;
  /** Who the credential speaks for, for people: `alice`, `kubernetes-admin`, … */
  label?: string;
  /** Where `credential` lives: in this file (disk) or in the keyring under the key. */
  storage: 'disk' | 'keyring';
  /** Real expiry of the credential, ISO 8601. */
  expiresAt: string;
  obtainedAt: string;
  credential?: CredentialMaterial;
  /** Non-secret data a provider keeps with the token, e.g. OIDC discovery metadata. */
  meta?: Record<string, unknown>;
}

export type CacheRead = { status: 'hit'; entry: CacheEntry } | { status: 'missing' } | { status: 'corrupt'; problem: string };

function validCredential(c: unknown): c is CredentialMaterial {
  if (typeof c !== 'object' || c === null) return false;
  const o = c as Record<string, unknown>;
  if (typeof o.token === 'string') return o.token !== '';
  return typeof o.clientCertificateData === 'string' && typeof o.clientKeyData === 'string';
}

/** Parses an entry; anything unexpected is `corrupt` (a miss that the next success overwrites). */
export function parseEntry(text: string): CacheRead {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return { status: 'corrupt', problem: 'not valid JSON' };
  }
  if (typeof doc !== 'object' || doc === null) return { status: 'corrupt', problem: 'not an object' };
  const e = doc as Partial<CacheEntry>;
  if (e.v !== 1) return { status: 'corrupt', problem: `unknown format version ${JSON.stringify(e.v)}` };
  if (typeof e.expiresAt !== 'string' || Number.isNaN(Date.parse(e.expiresAt))) {
    return { status: 'corrupt', problem: 'no valid expiresAt' };
  }
  if (e.storage === 'disk' && !validCredential(e.credential)) return { status: 'corrupt', problem: 'no credential' };
  if (e.storage !== 'disk' && e.storage !== 'keyring') return { status: 'corrupt', problem: 'unknown storage' };
  return { status: 'hit', entry: e as CacheEntry };
}

/**
 * Reads an entry under the trust rule (atomic-file.ts): one that another user could have written is
 * `corrupt` — never used, so neither its token nor the endpoints in its meta are trusted. Without
 * `options.repair` (the fast path) an entry that is ours but readable by others is a miss too.
 */
export function readEntry(dir: string, key: string, options: TrustedReadOptions = {}): CacheRead {
  let text: string;
  try {
    text = readPrivateFile(tokenFile(dir, key), options);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { status: 'missing' };
    if (code === 'ELOOSE') return { status: 'corrupt', problem: 'it is readable by other users' };
    return { status: 'corrupt', problem: describeReadError(err) };
  }
  return parseEntry(text);
}

export function writeEntry(dir: string, key: string, entry: CacheEntry): void {
  ensurePrivateDir(dir);
  // A cache: an entry lost to a crash costs one refresh, so no fsync (the secret store's writes keep theirs).
  writeFileAtomic(tokenFile(dir, key), JSON.stringify(entry) + '\n', { durable: false });
  // The old entry's records can no longer be served (they name its file): clear them away.
  dropHitRecords(dir, key, Date.now());
  removeStaleTempFiles(dir, Date.now());
}

/**
 * Removes the entry and its failure marker; says whether a token file was there. The lock is left
 * alone: a live holder owns it, and a dead one's is taken over as stale.
 */
export function removeEntry(dir: string, key: string): boolean {
  const had = safeUnlink(tokenFile(dir, key));
  safeUnlink(failureFile(dir, key));
  dropHitRecords(dir, key, Date.now());
  return had;
}

/** Keys that have a token file in the cache dir. */
export function listKeys(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names.filter((n) => /^[0-9a-f]{64}\.json$/.test(n)).map((n) => n.slice(0, -5));
}
