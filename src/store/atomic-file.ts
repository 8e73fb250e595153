// Writes that never leave a torn file and never follow a planted symlink. Imports only node:fs and
// node:path: the fast path reads with readPrivateFile.
import { closeSync, constants, fstatSync, fsyncSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, chmodSync, unlinkSync, writeSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';

export class UnsafePathError extends Error {}

/**
 * Creates the directory (0700) if missing. An existing directory must belong to us and be closed to
 * others; one that is merely too open and ours is tightened, anything else is refused.
 */
export function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    // An existing non-directory is reported below, in words.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const st = statSync(dir);
  if (!st.isDirectory()) throw new UnsafePathError(`${dir} is not a directory: remove it or choose another --token-cache-dir`);
  const uid = process.getuid?.();
  if (uid !== undefined && st.uid !== uid) {
    throw new UnsafePathError(`${dir} belongs to uid ${st.uid}, not you: choose another --token-cache-dir`);
  }
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/**
 * Reads a regular file without following a symlink at its final component; O_NONBLOCK so that a
 * FIFO planted in its place cannot make us hang (it is then refused as not a regular file).
 */
export function readPrivateFile(path: string): string {
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) throw Object.assign(new Error(`${path} is not a regular file`), { code: 'EINVAL' });
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

let tempCounter = 0;

/**
 * temp file (O_EXCL|O_NOFOLLOW, mode 0600) + write + fsync + rename + fsync(dir). A reader sees the
 * old content or the new, never a mix; rename replaces a planted symlink itself, not its target.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o600): void {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.${tempCounter++}.tmp`);
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    safeUnlink(temp);
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(temp, path);
  } catch (err) {
    safeUnlink(temp);
    throw err;
  }
  syncDir(dir);
}

function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, constants.O_RDONLY);
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some filesystems refuse fsync on a directory; the rename is still atomic there.
  }
}

export function safeUnlink(path: string): boolean {
  try {
    unlinkSync(path);
    return true;
  } catch {
    return false;
  }
}

export function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}

/**
 * Removes temp files that writers killed before their rename left behind (ours only: the
 * `.<name>.<pid>.<ms>.<n>.tmp` pattern), once they are older than maxAgeMs.
 */
export function removeStaleTempFiles(dir: string, nowMs: number, maxAgeMs = 3_600_000): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^\..+\.\d+\.(\d+)\.\d+\.tmp$/.exec(name);
    if (m && nowMs - Number(m[1]) > maxAgeMs) safeUnlink(join(dir, name));
  }
}
