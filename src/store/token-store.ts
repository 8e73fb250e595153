// The token cache with its storage modes (--token-cache-storage), on top of token-cache.ts:
//   disk    — the whole entry in `<dir>/<key>.json` (what the fast path reads);
//   keyring — the entry file keeps everything but `credential` (storage: 'keyring'), the credential
//             JSON sits in the keyring under account `token/<key>`; without a reachable keyring we
//             fall back to disk and say so once per cache dir (not at every kubectl run);
//   none    — nothing is cached.
// Reading understands both kinds of entry whatever the mode, so switching modes costs no login.
import type { CredentialMaterial } from '../exec/exec-credential.js';
import { keyringAvailable, keyringDelete, keyringGet, keyringSet, keyringUnreachableReason } from './keyring.js';
import { noticeOnce } from './secret-store.js';
import {
  listKeys,
  parseEntry,
  readEntry,
  removeEntry,
  writeEntry,
  type CacheEntry,
  type CacheRead,
  type TokenStorage,
} from './token-cache.js';
import { tokenFile } from './paths.js';
import { isUnwritable, warnUnwritable } from './unwritable.js';

export type TokenListItem = { key: string; entry: CacheEntry } | { key: string; problem: string };

export interface TokenStore {
  /** The storage in effect: 'disk' when 'keyring' was asked for but no keyring is reachable. */
  readonly storage: TokenStorage;
  read(key: string): Promise<CacheRead>;
  /** Stores entry (its `storage` field is set here to where the credential really goes). */
  write(key: string, entry: CacheEntry): Promise<void>;
  /** Removes the entry and its keyring item; true when an entry was there. */
  remove(key: string): Promise<boolean>;
  /** Every entry in the dir; keyring entries come without `credential` (nothing is fetched). */
  list(): Promise<TokenListItem[]>;
}

export interface OpenTokenStoreOptions {
  dir: string;
  storage: TokenStorage;
  /** Human notices (stderr). Never given a secret. */
  notice: (message: string) => void;
  /** Default true: tighten loose modes of our own files on read. False: treat such a file as unusable. */
  repair?: boolean;
}

/** Marker in the cache dir: the "keyring asked for, tokens on disk" notice was given once. */
export const DISK_TOKENS_NOTICE_MARKER = '.notice-tokens-on-disk';

export function tokenAccount(key: string): string {
  return `token/${key}`;
}

function withoutCredential(entry: CacheEntry): CacheEntry {
  const { credential: _dropped, ...rest } = entry;
  return { ...rest, storage: 'keyring' };
}

const noneStore: TokenStore = {
  storage: 'none',
  read: async () => ({ status: 'missing' }),
  write: async () => {},
  remove: async () => false,
  list: async () => [],
};

export async function openTokenStore(options: OpenTokenStoreOptions): Promise<TokenStore> {
  const { dir, notice } = options;
  if (options.storage === 'none') return noneStore;
  let storage: 'disk' | 'keyring' = 'disk';
  /** The "keyring asked for, tokens on disk" notice: given once the first token is written, not before. */
  let beforeDiskWrite: (() => void) | undefined;
  if (options.storage === 'keyring') {
    if (await keyringAvailable()) {
      storage = 'keyring';
    } else {
      const why = keyringUnreachableReason() ?? 'no Secret Service answered';
      beforeDiskWrite = () =>
        noticeOnce(
          dir,
          DISK_TOKENS_NOTICE_MARKER,
          `kubecred: --token-cache-storage keyring, but no keyring is reachable (${why}); tokens are kept in 0600 files in ${dir} instead. This notice is shown once`,
          notice,
        );
    }
  }
  let warnedWriteFallback = false;

  /** Deletes the keyring item of an entry written in keyring mode, if we can reach it. */
  async function dropKeyringItem(key: string): Promise<void> {
    if (!(await keyringAvailable())) return;
    try {
      await keyringDelete(tokenAccount(key));
    } catch {
      // A leftover item is harmless: the next keyring write replaces it.
    }
  }

  // Loose modes of our own files are fixed with a warning (unless the caller only inspects: doctor
  // without --fix); files others could write are refused.
  const trusted = options.repair === false ? {} : { repair: notice };

  async function read(key: string): Promise<CacheRead> {
    const read = readEntry(dir, key, trusted);
    if (read.status !== 'hit' || read.entry.storage !== 'keyring') return read;
    if (!(await keyringAvailable())) {
      return { status: 'corrupt', problem: 'its credential is in the keyring, which is not reachable now' };
    }
    let text: string | undefined;
    try {
      text = await keyringGet(tokenAccount(key));
    } catch (err) {
      return { status: 'corrupt', problem: (err as Error).message };
    }
    if (text === undefined) return { status: 'corrupt', problem: 'its credential is missing from the keyring' };
    let credential: CredentialMaterial;
    try {
      credential = JSON.parse(text) as CredentialMaterial;
    } catch {
      return { status: 'corrupt', problem: 'its credential in the keyring is not valid JSON' };
    }
    // Validate the joined entry exactly as a disk entry would be.
    return parseEntry(JSON.stringify({ ...read.entry, storage: 'disk', credential })).status === 'hit'
      ? { status: 'hit', entry: { ...read.entry, credential } }
      : { status: 'corrupt', problem: 'its credential in the keyring is incomplete' };
  }

  async function write(key: string, entry: CacheEntry): Promise<void> {
    if (!entry.credential) throw new Error('a cache entry to write needs its credential');
    const previous = readEntry(dir, key, trusted);
    if (storage === 'keyring') {
      try {
        await keyringSet(tokenAccount(key), JSON.stringify(entry.credential));
        writeEntry(dir, key, withoutCredential(entry));
        return;
      } catch (err) {
        // e.g. an item too large for the platform's keyring: keep working from disk.
        if (!warnedWriteFallback) {
          warnedWriteFallback = true;
          notice(`kubecred: could not keep the token in the keyring (${(err as Error).message}); kept it in ${tokenFile(dir, key)}`);
        }
      }
    }
    try {
      writeEntry(dir, key, { ...entry, storage: 'disk' });
      beforeDiskWrite?.();
      beforeDiskWrite = undefined;
    } catch (err) {
      // The previous entry is intact (atomic write); the new credential is still printed.
      if (!isUnwritable(err, dir)) throw err;
      warnUnwritable(dir, err, notice);
      return;
    }
    if (previous.status === 'hit' && previous.entry.storage === 'keyring') await dropKeyringItem(key);
  }

  async function remove(key: string): Promise<boolean> {
    const previous = readEntry(dir, key, trusted);
    if (storage === 'keyring' || (previous.status === 'hit' && previous.entry.storage === 'keyring')) await dropKeyringItem(key);
    return removeEntry(dir, key);
  }

  async function list(): Promise<TokenListItem[]> {
    return listKeys(dir).map((key): TokenListItem => {
      const r = readEntry(dir, key, trusted);
      if (r.status === 'hit') return { key, entry: r.entry };
      return { key, problem: r.status === 'corrupt' ? r.problem : 'removed while listing' };
    });
  }

  return { storage, read, write, remove, list };
}
