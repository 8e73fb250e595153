// V8's compiled code of what a miss runs, kept on disk so the next miss skips compiling it again
// (a refresh spends ~15 ms compiling its get-token bundle otherwise, a help screen ~25 ms compiling
// the CLI's). Only on a miss: a cache hit compiles one small file and would pay more to read a
// cache than it saves.
//
// - Node >= 22.1: module.enableCompileCache, for everything the miss loads.
// - Node 20 (no enableCompileCache): the two miss bundles (dist/get-token.cjs, dist/cli.cjs),
//   compiled through vm.Script with V8's cachedData, one file per bundle. V8 rejects a cache made
//   for other source or another V8, and the next successful run writes a fresh one.
//
// The cache sits beside the token cache in a 0700 directory of ours (never the shared os.tmpdir()
// default: code read from there would run as ours), and a cache file is read only when it is ours
// and writable by no one else. NODE_COMPILE_CACHE / NODE_DISABLE_COMPILE_CACHE, if the user set
// them, are Node's to honour, and turn ours off too. A run that fails writes nothing: the directory
// is made only after a run succeeded in a kubecred cache dir that already existed (`--help` on a
// fresh machine creates nothing either), and the cache files are written only after success.
'use strict';
const fs = require('node:fs');
const { basename, dirname, join } = require('node:path');

function cacheDir() {
  const base = process.env.KUBECACHEDIR || join(process.env.HOME || require('node:os').homedir(), '.kube', 'cache');
  return join(base, 'kubecred', 'node-compile-cache');
}

const userChoseCache = () => Boolean(process.env.NODE_COMPILE_CACHE || process.env.NODE_DISABLE_COMPILE_CACHE);
const nodeCache = () => require('node:module').enableCompileCache;
/** Node 20's way: vm.Script with cachedData (the bundles hold no import(): see src/infra/esm-import.ts). */
const ownCache = () => typeof nodeCache() !== 'function';

/** Ours and writable by no one else (Windows has no such modes: its profile ACLs guard the dir). */
function trusted(st) {
  const uid = process.getuid ? process.getuid() : undefined;
  return uid === undefined || (st.uid === uid && (st.mode & 0o022) === 0);
}

/** The cache directory when it exists and may be used, else undefined. */
function usableDir() {
  if (userChoseCache()) return undefined;
  try {
    const dir = cacheDir();
    const st = fs.lstatSync(dir);
    return st.isDirectory() && trusted(st) && (st.mode & 0o077) === 0 ? dir : undefined;
  } catch {
    return undefined; // no cache dir yet (see above), a read-only home: compile as usual
  }
}

let enabled = false;
/** Turns Node's own compile cache on (Node >= 22.1); a no-op elsewhere. */
function enable() {
  if (enabled) return;
  enabled = true;
  const dir = typeof nodeCache() === 'function' ? usableDir() : undefined;
  if (dir) nodeCache()(dir);
}

/** Scripts compiled without a usable cache this run: written after a success. */
const pending = [];

function readTrusted(file) {
  let fd;
  try {
    fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    const st = fs.fstatSync(fd);
    return st.isFile() && trusted(st) ? fs.readFileSync(fd) : undefined;
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/** require(file), through V8's code cache on Node 20. */
function requireCached(file) {
  const dir = ownCache() ? usableDir() : undefined;
  if (!dir) return require(file);
  const vm = require('node:vm');
  const Module = require('node:module');
  const cacheFile = join(dir, `${basename(file)}.v8`);
  const cachedData = readTrusted(cacheFile);
  const script = new vm.Script(Module.wrap(fs.readFileSync(file, 'utf8')), { filename: file, cachedData });
  // What Node's loader would do for the file, minus its own cache lookups.
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(dirname(file));
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file));
  mod.loaded = true;
  if (cachedData === undefined || script.cachedDataRejected) pending.push({ script, cacheFile });
  return mod.exports;
}

/** After a successful run: make the cache directory for the next one, and write the code caches it lacked. */
function afterSuccess() {
  if (userChoseCache() || (typeof nodeCache() !== 'function' && !ownCache())) return;
  try {
    const dir = cacheDir();
    if (!fs.existsSync(dir) && fs.existsSync(join(dir, '..'))) fs.mkdirSync(dir, { mode: 0o700 });
    for (const { script, cacheFile } of pending) {
      // The code compiled during the run is in it too (createCachedData after the run, not before).
      const temp = `${cacheFile}.${process.pid}.tmp`;
      fs.rmSync(temp, { force: true }); // a dead run's, with our pid
      fs.writeFileSync(temp, script.createCachedData(), { mode: 0o600, flag: 'wx' });
      fs.renameSync(temp, cacheFile);
    }
  } catch {
    // best effort: the next run compiles again
  }
}

module.exports = { enable, requireCached, afterSuccess };
