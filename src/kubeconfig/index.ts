// Reading and writing kubeconfig files like kubectl does (paths, merge, lock), keeping comments.
export { KubeconfigError, displayPath } from './errors.js';
export { resolveKubeconfig, defaultKubeconfigPath, realWritePath, type Env, type KubeconfigLocation } from './paths.js';
export {
  loadKubeconfigFile,
  parseKubeconfig,
  serializeKubeconfig,
  listNamed,
  getNamed,
  currentContextOf,
  upsertNamed,
  removeNamed,
  replaceEntryValue,
  setCurrentContext,
  sameEntry,
  type KubeconfigDoc,
  type UpsertResult,
} from './document.js';
export {
  readMerged,
  mergeDocs,
  findContext,
  findContextIn,
  originDoc,
  type MergedKubeconfig,
  type MergedEntry,
  type FoundContext,
} from './merge.js';
export {
  updateKubeconfigFiles,
  updateKubeconfigFile,
  saveKubeconfigFile,
  lockPathOf,
  DEFAULT_LOCK_TIMEOUT_MS,
  type LockOptions,
} from './write.js';
export * from './types.js';
