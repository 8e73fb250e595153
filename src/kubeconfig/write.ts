// Writing kubeconfig files the way kubectl does, so the two never lose each other's changes:
// `<file>.lock` is created exclusively (O_CREAT|O_EXCL) around read-modify-write and removed after;
// kubectl locks every file of its list, sorted by name, and so do we (no deadlock between writers).
// kubectl fails at once on a busy lock; we retry for up to 20 s first.
// The new content replaces the file by atomic rename (mode 0600 even if the old file was more open:
// a kubeconfig may hold credentials). A symlinked kubeconfig is followed like kubectl does: the link
// stays and its target is replaced (see realWritePath). The lock is `<path as given>.lock`, kubectl's name.
import { closeSync, constants, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { processIsGone, removeStaleTempFiles, safeUnlink, writeFileAtomic } from '../store/atomic-file.js';
import { KubeconfigError, displayPath } from './errors.js';
import { loadKubeconfigFile, serializeKubeconfig, type KubeconfigDoc } from './document.js';
import { homeDir, realWritePath } from './paths.js';

export interface LockOptions {
  /** How long to wait for a busy lock before giving up (default 20 s). */
  lockTimeoutMs?: number;
  /** Retry interval while waiting (default 50 ms). */
  lockPollMs?: number;
  /** Called once when a lock is busy, e.g. to print "waiting for …". */
  onLockWait?: (lockPath: string) => void;
}

/**
 * A lock of a killed kubecred is recognised by its pid and removed at once, so a long wait only
 * ever waits for a live writer (16 setup-context runs at once on a loaded machine take seconds) —
 * or for an empty lock kubectl left behind, which only a person can judge.
 */
export const DEFAULT_LOCK_TIMEOUT_MS = 20_000;

/** Locks this process holds, by lock path; removed on exit if something throws past the finally. */
const held = new Set<string>();
let exitHook = false;

export function lockPathOf(file: string): string {
  return `${resolve(file)}.lock`;
}

async function acquire(file: string, options: LockOptions): Promise<string> {
  const lockPath = lockPathOf(file);
  const deadline = Date.now() + (options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  let waited = false;
  for (;;) {
    try {
      const fd = openSync(lockPath, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
      try {
        // Our pid, so that the next run can tell a lock left by a killed kubecred from a live one.
        writeSync(fd, `${process.pid}\n`);
      } finally {
        closeSync(fd);
      }
      held.add(lockPath);
      if (!exitHook) {
        exitHook = true;
        process.once('exit', () => held.forEach((p) => safeUnlink(p)));
      }
      return lockPath;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EEXIST') {
        throw new KubeconfigError(
          `cannot create ${displayPath(lockPath)} (${code ?? (err as Error).message}): make its directory writable or pass another --kubeconfig`,
        );
      }
      if (removeIfAbandoned(lockPath)) continue;
    }
    const left = deadline - Date.now();
    if (left <= 0) {
      throw new KubeconfigError(
        `${displayPath(lockPath)} exists: another kubectl or kubecred is writing ${displayPath(resolve(file))}; if none is running, remove ${displayPath(lockPath)} and retry`,
      );
    }
    if (!waited) options.onLockWait?.(lockPath);
    waited = true;
    await sleep(Math.min(options.lockPollMs ?? 50, left));
  }
}

/**
 * A lock that names the pid of a process that no longer exists was left by a killed kubecred: it is
 * removed (kubectl's locks are empty and are never touched: only their owner knows when they end).
 */
function removeIfAbandoned(lockPath: string): boolean {
  let text: string;
  let ino: number;
  try {
    const fd = openSync(lockPath, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      ino = fstatSync(fd).ino;
      text = readFileSync(fd, 'utf8');
    } finally {
      closeSync(fd);
    }
  } catch {
    return false;
  }
  const m = /^(\d+)\n$/.exec(text);
  if (!m || !processIsGone(Number(m[1]))) return false;
  // Another waiter may have replaced it meanwhile with a live lock: remove only the file we read.
  try {
    if (lstatSync(lockPath).ino !== ino) return true;
  } catch {
    return true;
  }
  safeUnlink(lockPath);
  return true;
}

function release(lockPath: string): void {
  held.delete(lockPath);
  safeUnlink(lockPath);
}

/** Creates a missing directory for `file`: ~/.kube as 0700, anything else like `mkdir -p`. */
function ensureParentDir(file: string): void {
  const dir = dirname(file);
  if (existsSync(dir)) return;
  const kubeDir = join(homeDir(process.env), '.kube');
  mkdirSync(dir, { recursive: true, mode: resolve(dir) === kubeDir ? 0o700 : 0o777 });
}

function writeDoc(doc: KubeconfigDoc, text = serializeKubeconfig(doc)): void {
  const target = realWritePath(doc.path);
  ensureParentDir(target);
  // Temp files of a kubecred killed mid-write (we hold the lock: no live writer of ours is mid-way).
  removeStaleTempFiles(dirname(target), Date.now(), 3_600_000, basename(target));
  writeFileAtomic(target, text);
  doc.changed = false;
}

/**
 * Locks every file (sorted, as kubectl does), loads them, lets `mutate` edit the documents, then
 * writes the changed ones. If `mutate` throws, nothing is written. Returns `mutate`'s result and the
 * files written. Use this for any read-modify-write: the lock covers the read.
 */
export async function updateKubeconfigFiles<T>(
  files: readonly string[],
  mutate: (docs: KubeconfigDoc[]) => T | Promise<T>,
  options: LockOptions = {},
): Promise<{ result: T; written: string[] }> {
  const list = [...new Set(files.map((f) => resolve(f)))];
  if (list.length === 0) throw new Error('updateKubeconfigFiles: no file');
  ensureParentDir(list[0]!);
  const locks: string[] = [];
  try {
    // A file whose directory does not exist has nothing to protect and will not be written.
    for (const file of [...list].sort()) if (existsSync(dirname(file))) locks.push(await acquire(file, options));
    const docs = list.map((f) => loadKubeconfigFile(f));
    const result = await mutate(docs);
    // Serialize everything first: a document that cannot be written must not leave the others half done.
    const texts = docs.filter((doc) => doc.changed).map((doc) => [doc, serializeKubeconfig(doc)] as const);
    for (const [doc, text] of texts) writeDoc(doc, text);
    return { result, written: texts.map(([doc]) => doc.path) };
  } finally {
    for (const lock of locks.reverse()) release(lock);
  }
}

/** updateKubeconfigFiles for one file: lock, load, mutate, save if changed, unlock. */
export async function updateKubeconfigFile<T>(
  file: string,
  mutate: (doc: KubeconfigDoc) => T | Promise<T>,
  options: LockOptions = {},
): Promise<{ result: T; written: boolean }> {
  const { result, written } = await updateKubeconfigFiles([file], (docs) => mutate(docs[0]!), options);
  return { result, written: written.length > 0 };
}

/**
 * Saves a document loaded earlier, under the lock. Refuses if the file changed since it was read
 * (someone else wrote it): prefer updateKubeconfigFile, whose lock also covers the read.
 * Returns false when the document had no change (nothing written).
 */
export async function saveKubeconfigFile(path: string, doc: KubeconfigDoc, options: LockOptions = {}): Promise<boolean> {
  if (!doc.changed) return false;
  const lockPath = lockPathOf(path);
  if (held.has(lockPath)) {
    writeDoc(doc);
    return true;
  }
  ensureParentDir(resolve(path));
  const lock = await acquire(path, options);
  try {
    let now = '';
    try {
      now = readFileSync(path, 'utf8');
    } catch {
      now = '';
    }
    if (now !== doc.source) throw new KubeconfigError(`${displayPath(resolve(path))} changed since it was read: run the command again`);
    writeDoc(doc.path === path ? doc : { ...doc, path });
    doc.changed = false;
    return true;
  } finally {
    release(lock);
  }
}
