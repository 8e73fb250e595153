// Long-lived secrets needed only on a cache miss (refresh tokens, Keystone passwords,
// application-credential secrets, registered client secrets). Keyring by default when reachable,
// else 0600 files in a 0700 dir with a one-time notice.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePrivateDir, readPrivateFile, safeUnlink, writeFileAtomic } from './atomic-file.js';
import { keyringAccounts, keyringAvailable, keyringDelete, keyringGet, keyringSet, keyringUnreachableReason } from './keyring.js';
import { secretsDir } from './paths.js';

export interface SecretStore {
  readonly backend: 'keyring' | 'disk';
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string): Promise<void>;
  /** True when something was there. */
  delete(name: string): Promise<boolean>;
}

export interface OpenSecretStoreOptions {
  cacheDir: string;
  /** auto (default): the keyring when reachable, else disk. keyring: the keyring or an error. */
  prefer?: 'auto' | 'keyring' | 'disk';
  /** Human notices (stderr). Never given a secret. */
  notice: (message: string) => void;
}


/** Marker in the cache dir: the "secrets on disk" notice was given once on this machine. */
export const DISK_SECRETS_NOTICE_MARKER = '.notice-secrets-on-disk';
/** Keyring accounts of secrets; token-store uses `token/<key>`. */
const KEYRING_PREFIX = 'secret/';

/** Internal: stores that can forget every secret whose name starts with a prefix. */
interface PrefixDeletable {
  deletePrefix(prefix: string): Promise<number>;
}

/**
 * Secret name → file name: every byte outside [A-Za-z0-9_-] is %XX, so `.`/`..`/`/` can never
 * escape or collide, and a prefix of names stays a prefix of file names. Very long names keep a
 * readable head plus a hash (`~` never appears in the encoding, so no collision with short names).
 */
export function secretFileName(name: string): string {
  if (name === '') throw new Error('secret name must not be empty');
  const enc = encodeName(name);
  if (enc.length <= 200) return enc;
  return enc.slice(0, 120) + '~' + createHash('sha256').update(name).digest('hex');
}

function encodeName(name: string): string {
  let out = '';
  for (const byte of Buffer.from(name, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9_-]/.test(c) ? c : '%' + byte.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

class DiskSecretStore implements SecretStore, PrefixDeletable {
  readonly backend = 'disk' as const;
  constructor(readonly dir: string) {}

  private path(name: string): string {
    return join(this.dir, secretFileName(name));
  }

  async get(name: string): Promise<string | undefined> {
    try {
      return readPrivateFile(this.path(name));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // A symlink is never followed: treated as absent, and the next set() replaces it.
      if (code === 'ENOENT' || code === 'ELOOP') return undefined;
      throw new Error(`cannot read secret file ${this.path(name)} (${code ?? String(err)})`);
    }
  }

  async set(name: string, value: string): Promise<void> {
    ensurePrivateDir(this.dir);
    writeFileAtomic(this.path(name), value);
  }

  async delete(name: string): Promise<boolean> {
    return safeUnlink(this.path(name));
  }

  async deletePrefix(prefix: string): Promise<number> {
    const filePrefix = encodeName(prefix);
    let names: string[];
    try {
      names = readdirSync(this.dir);
    } catch {
      return 0;
    }
    let n = 0;
    for (const f of names) if (f.startsWith(filePrefix) && !f.startsWith('.') && safeUnlink(join(this.dir, f))) n++;
    return n;
  }
}

/**
 * Keyring-backed, with the disk store underneath for two cases: secrets left on disk from a time
 * without keyring (moved into the keyring when first read, so a keyring appearing later costs no
 * login), and a keyring that answers but refuses to store (locked with no way to prompt, item too
 * large): the secret then goes to disk with a notice rather than losing a fresh login.
 */
class KeyringSecretStore implements SecretStore, PrefixDeletable {
  readonly backend = 'keyring' as const;
  private warned = false;
  constructor(
    private readonly disk: DiskSecretStore,
    private readonly notice: (message: string) => void,
  ) {}

  async get(name: string): Promise<string | undefined> {
    const value = await keyringGet(KEYRING_PREFIX + name).catch(() => undefined);
    if (value !== undefined) return value;
    const old = await this.disk.get(name);
    if (old !== undefined) {
      try {
        await keyringSet(KEYRING_PREFIX + name, old);
        await this.disk.delete(name);
      } catch {
        // Still refused: it stays on disk.
      }
    }
    return old;
  }
  async set(name: string, value: string): Promise<void> {
    try {
      await keyringSet(KEYRING_PREFIX + name, value);
    } catch (err) {
      if (!this.warned) {
        this.warned = true;
        this.notice(`kubecred: the keyring refused a secret (${(err as Error).message}); it is kept in a 0600 file in ${this.disk.dir}`);
      }
      return this.disk.set(name, value);
    }
    await this.disk.delete(name);
  }
  async delete(name: string): Promise<boolean> {
    const onDisk = await this.disk.delete(name);
    return (await keyringDelete(KEYRING_PREFIX + name)) || onDisk;
  }
  async deletePrefix(prefix: string): Promise<number> {
    let n = await this.disk.deletePrefix(prefix);
    // Which names exist is the keyring's to say: the store knows no provider's secret names.
    const accounts = new Set<string>();
    for (const a of await keyringAccounts()) if (a.startsWith(KEYRING_PREFIX + prefix)) accounts.add(a);
    for (const a of accounts) {
      try {
        if (await keyringDelete(a)) n++;
      } catch {
        // One stuck item must not keep the others.
      }
    }
    return n;
  }
}

export async function openSecretStore(options: OpenSecretStoreOptions): Promise<SecretStore> {
  const prefer = options.prefer ?? 'auto';
  const dir = secretsDir(options.cacheDir);
  if (prefer === 'disk') return new DiskSecretStore(dir);
  if (await keyringAvailable()) return new KeyringSecretStore(new DiskSecretStore(dir), options.notice);
  const why = keyringUnreachableReason() ?? 'no Secret Service answered';
  if (prefer === 'keyring') {
    throw new Error(`no keyring is reachable (${why}): start a Secret Service (e.g. gnome-keyring) or let kubecred keep secrets on disk`);
  }
  noticeOnce(
    options.cacheDir,
    DISK_SECRETS_NOTICE_MARKER,
    `kubecred: no Secret Service keyring is reachable (${why}), so secrets such as refresh tokens are kept in 0600 files in ${dir}; this notice is shown once`,
    options.notice,
  );
  return new DiskSecretStore(dir);
}

/**
 * Gives the notice unless the marker file says it was already given, then writes the marker.
 * Marker I/O errors never break the caller (the worst case is a repeated notice).
 */
export function noticeOnce(cacheDir: string, marker: string, message: string, notice: (m: string) => void): void {
  const path = join(cacheDir, marker);
  if (existsSync(path)) return;
  notice(message);
  try {
    ensurePrivateDir(cacheDir);
    writeFileAtomic(path, new Date().toISOString() + '\n');
  } catch {
    // best effort
  }
}

function checkKey(key: string): void {
  if (key === '' || key.includes('/')) throw new Error(`invalid secret scope ${JSON.stringify(key)}`);
}

/** The view a provider gets: names are stored as `${key}/${name}`. */
export function scopedSecrets(store: SecretStore, key: string): SecretStore {
  checkKey(key);
  const full = (name: string) => `${key}/${name}`;
  const view: SecretStore & PrefixDeletable = {
    backend: store.backend,
    get: (name) => store.get(full(name)),
    set: (name, value) => store.set(full(name), value),
    delete: (name) => store.delete(full(name)),
    deletePrefix: (prefix) => deletePrefix(store, full(prefix)),
  };
  return view;
}

function deletePrefix(store: SecretStore, prefix: string): Promise<number> {
  const d = store as Partial<PrefixDeletable>;
  if (typeof d.deletePrefix === 'function') return d.deletePrefix.call(store, prefix);
  // Every store this module makes can delete by prefix; another one cannot list its names.
  return Promise.reject(new Error('this secret store cannot forget secrets by prefix'));
}

/** Forgets every secret kept for a cache key (logout); returns how many were removed. */
export function deleteAllFor(store: SecretStore, key: string): Promise<number> {
  checkKey(key);
  return deletePrefix(store, `${key}/`);
}
