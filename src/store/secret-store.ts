// Long-lived secrets needed only on a cache miss (refresh tokens, Keystone passwords,
// application-credential secrets, registered client secrets). Keyring by default when reachable,
// else 0600 files in a 0700 dir with a one-time notice.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describeReadError, ensurePrivateDir, readPrivateFile, removeStaleTempFiles, safeUnlink, writeFileAtomic } from './atomic-file.js';
import { keyringAccounts, keyringAvailable, keyringDelete, keyringGet, keyringSet, keyringUnreachableReason } from './keyring.js';
import { secretsDir } from './paths.js';
import { sha256Hex } from './sha256.js';
import { rememberSecret } from '../shared/scrub.js';
import { isUnwritable, warnUnwritable } from './unwritable.js';

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
  /**
   * get-token: a secret that cannot be written to a full or read-only disk is dropped with one
   * warning (the credential obtained is still printed) instead of failing the run.
   */
  bestEffortWrites?: boolean;
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
  return enc.slice(0, 120) + '~' + sha256Hex(name);
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
  constructor(
    readonly dir: string,
    private readonly notice: (message: string) => void,
    /** Called once the first secret is written (the one-time "secrets on disk" notice and its marker). */
    private beforeFirstWrite?: () => void,
    private readonly bestEffort = false,
  ) {}

  private path(name: string): string {
    return join(this.dir, secretFileName(name));
  }

  async get(name: string): Promise<string | undefined> {
    try {
      return readPrivateFile(this.path(name), { repair: this.notice });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      // A symlink, or a file or dir another user could have written: never used (treated as absent,
      // so a login replaces it), and said once.
      if (code === 'ELOOP' || code === 'EUNTRUSTED' || code === 'EFBIG' || code === 'EINVAL') {
        this.notice(`kubecred: warning: ignoring the secret file ${this.path(name)}: ${describeReadError(err)}`);
        return undefined;
      }
      throw new Error(`cannot read secret file ${this.path(name)} (${code ?? String(err)})`);
    }
  }

  async set(name: string, value: string): Promise<void> {
    try {
      ensurePrivateDir(this.dir);
      writeFileAtomic(this.path(name), value);
    } catch (err) {
      if (!this.bestEffort || !isUnwritable(err, this.dir)) throw err;
      warnUnwritable(this.dir, err, this.notice);
      return;
    }
    this.beforeFirstWrite?.();
    this.beforeFirstWrite = undefined;
    removeStaleTempFiles(this.dir, Date.now());
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
  const bestEffort = options.bestEffortWrites === true;
  if (prefer === 'disk') return new DiskSecretStore(dir, options.notice, undefined, bestEffort);
  if (await keyringAvailable())
    return new KeyringSecretStore(new DiskSecretStore(dir, options.notice, undefined, bestEffort), options.notice);
  const why = keyringUnreachableReason() ?? 'no Secret Service answered';
  if (prefer === 'keyring') {
    throw new Error(`no keyring is reachable (${why}): start a Secret Service (e.g. gnome-keyring) or let kubecred keep secrets on disk`);
  }
  // Said (and its marker written) only when a secret is really stored: a run that fails prints one
  // line and writes nothing.
  const firstStore = () =>
    noticeOnce(
      options.cacheDir,
      DISK_SECRETS_NOTICE_MARKER,
      `kubecred: no Secret Service keyring is reachable (${why}), so secrets such as refresh tokens are kept in 0600 files in ${dir}; this notice is shown once`,
      options.notice,
    );
  return new DiskSecretStore(dir, options.notice, firstStore, bestEffort);
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
    // Every stored secret may be sent to a server: no server message may echo it back.
    get: (name) => store.get(full(name)).then((value) => (rememberSecret(value), value)),
    set: (name, value) => (rememberSecret(value), store.set(full(name), value)),
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
