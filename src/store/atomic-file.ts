// Writes that never leave a torn file, reads that never trust a file another user could have
// written, and neither follows a planted symlink. Imports only node:fs and node:path: the fast path
// reads with readPrivateFile.
import {
  closeSync,
  constants,
  fchmodSync,
  fstatSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { dirname, join, basename } from 'node:path';

export class UnsafePathError extends Error {}

/** The largest file kubecred reads from its cache dir (entries with JWKS are a few KiB). */
export const MAX_CACHE_FILE_BYTES = 1024 * 1024;

/** Trust is judged by owner and mode; Windows has neither in this form (ACLs guard the profile). */
const posixOwner = (): number | undefined => process.getuid?.();

function fail(message: string, code: string): never {
  throw Object.assign(new Error(message), { code });
}

function modeText(st: Stats): string {
  return (st.mode & 0o777).toString(8).padStart(4, '0');
}

/**
 * The trust rule: ours (current uid) and writable by no one else. Returns the problem, or
 * undefined. A file merely readable by others is trusted but `loose` (tightened before use).
 */
function judge(st: Stats, uid: number, privateMode: number): 'untrusted-owner' | 'untrusted-writable' | 'loose' | undefined {
  if (st.uid !== uid) return 'untrusted-owner';
  if ((st.mode & 0o022) !== 0) return 'untrusted-writable';
  if ((st.mode & 0o777 & ~privateMode) !== 0) return 'loose';
  return undefined;
}

/**
 * Whether a file's stat passes the trust rule with nothing to repair: ours and open to no one
 * else (always true where there is no POSIX owner). For a file judged without being read.
 */
export function isPrivateToUs(st: Stats): boolean {
  const uid = posixOwner();
  return uid === undefined || judge(st, uid, 0o600) === undefined;
}

export interface TrustedReadOptions {
  /**
   * Tighten a file (to 0600) or dir (to 0700) of ours that others can merely read, and say so
   * once through this callback. Without it such a file is refused with code ELOOSE: the fast path
   * leaves repairs and warnings to the full CLI.
   */
  repair?: (message: string) => void;
  /** Refuse larger files (code EFBIG). Default MAX_CACHE_FILE_BYTES. */
  maxBytes?: number;
}

/** Checks (and with `repair`, tightens) the directory a file is read from; never follows a symlink. */
function checkDir(dir: string, uid: number, options: TrustedReadOptions): void {
  let fd: number;
  try {
    fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP' || code === 'ENOTDIR') fail(`${dir} is a symlink or not a directory, which kubecred never follows`, 'ELOOP');
    throw err;
  }
  try {
    const st = fstatSync(fd);
    const problem = judge(st, uid, 0o700);
    if (problem === 'untrusted-owner') fail(`its directory ${dir} belongs to uid ${st.uid}, not you`, 'EUNTRUSTED');
    if (problem === 'untrusted-writable') fail(`its directory ${dir} is writable by other users (mode ${modeText(st)})`, 'EUNTRUSTED');
    if (problem === 'loose') {
      if (!options.repair) fail(`${dir} is open to other users`, 'ELOOSE');
      fchmodSync(fd, 0o700);
      options.repair(`kubecred: warning: ${dir} was readable by other users (mode ${modeText(st)}); made it 0700`);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Reads a regular file under the trust rule: the final component is opened without following a
 * symlink (O_NOFOLLOW) and O_NONBLOCK (a planted FIFO cannot make us hang), then fstat'ed: the file
 * and its directory must belong to the current user and be writable by no one else. Errors carry a
 * code: ENOENT, ELOOP (symlink), EINVAL (not a regular file), EUNTRUSTED, ELOOSE, EFBIG.
 */
export function readPrivateFile(path: string, options: TrustedReadOptions = {}): string {
  const uid = posixOwner();
  if (uid !== undefined) checkDir(dirname(path), uid, options);
  const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) fail(`${path} is not a regular file`, 'EINVAL');
    if (uid !== undefined) {
      const problem = judge(st, uid, 0o600);
      if (problem === 'untrusted-owner') fail(`it belongs to uid ${st.uid}, not you`, 'EUNTRUSTED');
      if (problem === 'untrusted-writable') fail(`it is writable by other users (mode ${modeText(st)})`, 'EUNTRUSTED');
      if (problem === 'loose') {
        if (!options.repair) fail(`${path} is open to other users`, 'ELOOSE');
        fchmodSync(fd, 0o600);
        options.repair(`kubecred: warning: ${path} was readable by other users (mode ${modeText(st)}); made it 0600`);
      }
    }
    const max = options.maxBytes ?? MAX_CACHE_FILE_BYTES;
    if (st.size > max) fail(`it is larger than ${max} bytes`, 'EFBIG');
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}

/** Why a trusted read failed, in words for a warning ("it belongs to uid 1001, not you"). */
export function describeReadError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ELOOP') return 'it is a symlink, which kubecred never follows';
  if (code === 'EUNTRUSTED' || code === 'EFBIG') return `${(err as Error).message}, so it is not trusted`;
  if (code === 'EINVAL') return 'it is not a regular file';
  return `unreadable (${code ?? String(err)})`;
}

/**
 * Creates the directory (0700) if missing. An existing directory must be a real directory (never
 * a symlink, whose target we would otherwise chmod) that belongs to us; one that is merely too
 * open is tightened through its own descriptor, anything else is refused.
 */
export function ensurePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    // An existing non-directory is reported below, in words.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const lst = lstatSync(dir);
  if (lst.isSymbolicLink())
    throw new UnsafePathError(
      `${dir} is a symlink, which kubecred never follows: replace it with a directory or choose another --token-cache-dir`,
    );
  if (!lst.isDirectory()) throw new UnsafePathError(`${dir} is not a directory: remove it or choose another --token-cache-dir`);
  const uid = posixOwner();
  if (uid === undefined) return;
  const fd = openSync(dir, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    const st = fstatSync(fd);
    if (st.uid !== uid) throw new UnsafePathError(`${dir} belongs to uid ${st.uid}, not you: choose another --token-cache-dir`);
    if ((st.mode & 0o077) !== 0) fchmodSync(fd, 0o700);
  } finally {
    closeSync(fd);
  }
}

let tempCounter = 0;

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0600). */
  mode?: number;
  /**
   * fsync the file and its directory before and after the rename (default true): the new content
   * survives a crash or power loss. A file that is only a cache (a token entry: losing it costs a
   * refresh) skips that; each fsync costs milliseconds, on a busy disk tens of them.
   */
  durable?: boolean;
}

/**
 * temp file (O_EXCL|O_NOFOLLOW, mode 0600) + write + fsync + rename + fsync(dir). A reader sees the
 * old content or the new, never a mix; rename replaces a planted symlink itself, not its target.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): void {
  const { mode = 0o600, durable = true } = options;
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Date.now()}.${tempCounter++}.tmp`);
  const fd = openSync(temp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    if (durable) fsyncSync(fd);
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
  if (durable) syncDir(dir);
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

/** Whether no process has this pid (kill(pid, 0) → ESRCH). EPERM: it exists, as another user's. */
export function processIsGone(pid: number): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Removes temp files that writers killed before their rename left behind (ours only: the
 * `.<name>.<pid>.<ms>.<n>.tmp` pattern, owned by us): at once when their writer's pid is gone,
 * else once they are older than maxAgeMs. `of` limits it to the temp files of one file name.
 */
export function removeStaleTempFiles(dir: string, nowMs: number, maxAgeMs = 3_600_000, of?: string): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  const uid = posixOwner();
  for (const name of names) {
    const m = /^\.(.+)\.(\d+)\.(\d+)\.\d+\.tmp$/.exec(name);
    if (!m || (of !== undefined && m[1] !== of)) continue;
    const path = join(dir, name);
    if (uid !== undefined) {
      try {
        if (lstatSync(path).uid !== uid) continue;
      } catch {
        continue;
      }
    }
    if (processIsGone(Number(m[2])) || nowMs - Number(m[3]) > maxAgeMs) safeUnlink(path);
  }
}
