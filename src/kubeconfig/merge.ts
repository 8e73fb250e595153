// The merged view kubectl builds from a list of kubeconfig files: the first file to define a name
// wins, and current-context comes from the first file that sets it. Missing files count as empty.
import { KubeconfigError, displayPath } from './errors.js';
import { currentContextOf, listNamed, loadKubeconfigFile, type KubeconfigDoc } from './document.js';
import { checkExecBlock } from './exec-schema.js';
import type { ClusterEntry, ContextEntry, EntryOf, NamedKind, UserEntry } from './types.js';

export interface MergedEntry<T> {
  name: string;
  /** The file the winning definition comes from. */
  file: string;
  value: T;
}

export interface MergedKubeconfig {
  /** '' when no file sets it. */
  currentContext: string;
  contexts: MergedEntry<ContextEntry>[];
  clusters: MergedEntry<ClusterEntry>[];
  users: MergedEntry<UserEntry>[];
}

export interface FoundContext {
  context: { name: string; cluster: string; user: string; namespace?: string };
  /** Undefined when the context names a cluster no file defines. */
  cluster?: { name: string; file: string } & ClusterEntry;
  /** Undefined when the context names a user no file defines; `exec` is there for exec users. */
  user?: { name: string; file: string } & UserEntry;
  /** The file defining the context. */
  file: string;
}

function mergeKind<K extends NamedKind>(docs: readonly KubeconfigDoc[], kind: K): MergedEntry<EntryOf<K>>[] {
  const out: MergedEntry<EntryOf<K>>[] = [];
  const seen = new Set<string>();
  for (const doc of docs) {
    for (const { name, value } of listNamed(doc, kind)) {
      if (seen.has(name)) continue;
      seen.add(name);
      out.push({ name, file: doc.path, value });
    }
  }
  return out;
}

/** Merges already loaded documents (e.g. those held under the lock by updateKubeconfigFiles). */
export function mergeDocs(docs: readonly KubeconfigDoc[]): MergedKubeconfig {
  let currentContext = '';
  for (const doc of docs) {
    currentContext = currentContextOf(doc);
    if (currentContext !== '') break;
  }
  return { currentContext, contexts: mergeKind(docs, 'contexts'), clusters: mergeKind(docs, 'clusters'), users: mergeKind(docs, 'users') };
}

export function readMerged(files: readonly string[]): MergedKubeconfig {
  return mergeDocs(files.map((f) => loadKubeconfigFile(f)));
}

/**
 * The document an upsert of `name` must go to, kubectl's way: the first document defining it (its
 * definition is the one kubectl uses), else `fallback` (the write target).
 */
export function originDoc(docs: readonly KubeconfigDoc[], kind: NamedKind, name: string, fallback: KubeconfigDoc): KubeconfigDoc {
  return docs.find((doc) => listNamed(doc, kind).some((e) => e.name === name)) ?? fallback;
}

function available(merged: MergedKubeconfig): string {
  const names = merged.contexts.map((c) => c.name);
  return names.length === 0 ? 'there are none: run `kubecred setup-context …` first' : `available: ${names.join(', ')}`;
}

/** The context `name` (default: current-context) with its cluster and user, or a one-line error. */
export function findContext(files: readonly string[], name?: string): FoundContext {
  return findContextIn(readMerged(files), files, name);
}

export function findContextIn(merged: MergedKubeconfig, files: readonly string[], name?: string): FoundContext {
  const wanted = name ?? merged.currentContext;
  const where = files.length === 1 ? displayPath(files[0]!) : `${files.length} kubeconfig files (KUBECONFIG)`;
  if (wanted === '') throw new KubeconfigError(`no current-context in ${where}: pass --context NAME (${available(merged)})`);
  const ctx = merged.contexts.find((c) => c.name === wanted);
  if (!ctx) throw new KubeconfigError(`context "${wanted}" not found in ${where} (${available(merged)})`);
  const { cluster: clusterName, user: userName, namespace } = ctx.value;
  const cluster = merged.clusters.find((c) => c.name === clusterName);
  const user = merged.users.find((u) => u.name === userName);
  return {
    context: { name: wanted, cluster: String(clusterName ?? ''), user: String(userName ?? ''), ...(namespace ? { namespace } : {}) },
    ...(cluster ? { cluster: { name: cluster.name, file: cluster.file, ...cluster.value } } : {}),
    ...(user
      ? { user: { name: user.name, file: user.file, ...user.value, exec: checkExecBlock(user.file, user.name, user.value.exec) } }
      : {}),
    file: ctx.file,
  };
}
