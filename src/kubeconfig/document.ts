// One kubeconfig file as a yaml Document: edits keep the other entries, their order and comments.
// A file that does not parse, or whose clusters/users/contexts are not lists of {name, …}, is
// refused with `file:line: what: fix or move this file` and never rewritten.
import { readFileSync, statSync } from 'node:fs';
import { Document, LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, visit, type Node, type YAMLMap, type YAMLSeq } from 'yaml';
import { KubeconfigError, displayPath } from './errors.js';
import { NAMED_KINDS, singular, type EntryOf, type NamedKind } from './types.js';

export interface KubeconfigDoc {
  /** The path as given (symlinks are followed only when writing). */
  readonly path: string;
  readonly document: Document;
  /** False when the file did not exist: `document` is then an empty kubeconfig. */
  readonly existed: boolean;
  /** The text read ('' for a missing file). */
  readonly source: string;
  /** Sequence style of the file: kubectl writes `- ` flush with the key (false). */
  readonly indentSeq: boolean;
  /** Set by every edit that changed something; saveKubeconfigFile skips an unchanged document. */
  changed: boolean;
}

export type UpsertResult = 'added' | 'replaced' | 'unchanged';

// kubectl reads kubeconfig with YAML 1.1 rules (`y`, `on`, `no` are booleans, `0777` is a number), so
// we parse and write as YAML 1.1: a context named `on` is written quoted and reads back as a string.
const FIX = 'fix or move this file (kubecred never rewrites a kubeconfig it cannot read)';

function emptyConfig(): Record<string, unknown> {
  return { apiVersion: 'v1', kind: 'Config', clusters: [], contexts: [], users: [], preferences: {}, 'current-context': '' };
}

/** kubectl sets no limit; ours only keeps a hostile or corrupted file from eating memory and time. */
export const MAX_KUBECONFIG_BYTES = 8 * 1024 * 1024;

export function loadKubeconfigFile(path: string): KubeconfigDoc {
  let source: string;
  try {
    if (statSync(path).size > MAX_KUBECONFIG_BYTES) {
      throw new KubeconfigError(
        `${displayPath(path)}: larger than ${MAX_KUBECONFIG_BYTES / 1024 / 1024} MiB, which no kubeconfig needs: ${FIX}`,
      );
    }
    source = readFileSync(path, 'utf8');
  } catch (err) {
    if (err instanceof KubeconfigError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT')
      return {
        path,
        document: new Document(emptyConfig(), { version: '1.1' }),
        existed: false,
        source: '',
        indentSeq: false,
        changed: false,
      };
    throw new KubeconfigError(
      `${displayPath(path)}: cannot read (${code ?? (err as Error).message}): fix its permissions or pass another --kubeconfig`,
    );
  }
  return parseKubeconfig(path, source);
}

/** Parses and validates kubeconfig text; `path` is only for messages. */
export function parseKubeconfig(path: string, source: string): KubeconfigDoc {
  const lineCounter = new LineCounter();
  const document = parseDocument(source, { lineCounter, uniqueKeys: true, version: '1.1' }) as unknown as Document;
  const fail = (offset: number | undefined, what: string): never => {
    const line = offset === undefined ? 1 : lineCounter.linePos(offset).line;
    throw new KubeconfigError(`${displayPath(path)}:${line}: ${what}: ${FIX}`);
  };
  const first = document.errors[0];
  if (first) {
    const what = (first.message.split('\n')[0] ?? 'invalid YAML').replace(/ at line \d+, column \d+:?$/, '');
    const line = first.linePos?.[0]?.line ?? 1;
    throw new KubeconfigError(`${displayPath(path)}:${line}: ${what}: ${FIX}`);
  }
  const contents = document.contents as Node | null;
  if (contents === null || (isScalar(contents) && contents.value === null)) {
    document.contents = document.createNode(emptyConfig()) as never;
  } else if (!isMap(contents)) {
    fail(contents.range?.[0], 'the document is not a mapping of kubeconfig fields');
  } else {
    validateMap(contents, fail);
    try {
      // Expands every alias once, bounded (yaml refuses a "billion laughs" past maxAliasCount).
      document.toJS({ maxAliasCount: 100 });
    } catch (err) {
      fail(undefined, `cannot be expanded (${(err as Error).message.split('\n')[0]})`);
    }
  }
  return { path, document, existed: true, source, indentSeq: detectIndentSeq(source), changed: false };
}

function validateMap(root: YAMLMap, fail: (offset: number | undefined, what: string) => never): void {
  for (const kind of NAMED_KINDS) {
    const node = root.get(kind, true) as Node | undefined;
    if (node === undefined || (isScalar(node) && node.value === null)) continue;
    if (!isSeq(node)) fail(node.range?.[0], `${kind} is not a list`);
    const seen = new Set<string>();
    for (const item of (node as YAMLSeq).items as Node[]) {
      const name = isMap(item) ? item.get('name') : undefined;
      if (!isMap(item)) fail(item?.range?.[0], `an entry of ${kind} is not a mapping with a name`);
      if (typeof name !== 'string' || name === '') fail(item.range?.[0], `an entry of ${kind} has no name`);
      if (seen.has(name as string)) fail(item.range?.[0], `duplicate ${singular(kind)} name "${name}" (kubectl refuses this file too)`);
      seen.add(name as string);
    }
  }
  const current = root.get('current-context', true) as Node | undefined;
  if (current !== undefined && !(isScalar(current) && (current.value === null || typeof current.value === 'string'))) {
    fail(current.range?.[0], 'current-context is not a string');
  }
}

/** kubectl writes sequences flush with their key; keep whichever style the file already uses. */
function detectIndentSeq(source: string): boolean {
  const m = /^( *)[\w-]+:[ \t]*(?:#[^\n]*)?\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*( *)- /m.exec(source);
  return m ? m[2]!.length > m[1]!.length : false;
}

export function serializeKubeconfig(doc: KubeconfigDoc): string {
  return doc.document.toString({ indentSeq: doc.indentSeq, lineWidth: 0 });
}

function rootMap(doc: KubeconfigDoc): YAMLMap {
  return doc.document.contents as YAMLMap;
}

function seqOf(doc: KubeconfigDoc, kind: NamedKind): YAMLSeq | undefined {
  const node = rootMap(doc).get(kind, true);
  return isSeq(node) ? node : undefined;
}

function indexOf(seq: YAMLSeq | undefined, name: string): number {
  if (!seq) return -1;
  return seq.items.findIndex((item) => isMap(item) && item.get('name') === name);
}

/** The entries of one kind as plain values, in file order. */
export function listNamed<K extends NamedKind>(doc: KubeconfigDoc, kind: K): Array<{ name: string; value: EntryOf<K> }> {
  const seq = seqOf(doc, kind);
  if (!seq) return [];
  return seq.items.map((item) => {
    const plain = (item as YAMLMap).toJS(doc.document) as Record<string, unknown>;
    const value = (plain[singular(kind)] ?? {}) as EntryOf<K>;
    return { name: String(plain.name), value };
  });
}

export function getNamed<K extends NamedKind>(doc: KubeconfigDoc, kind: K, name: string): EntryOf<K> | undefined {
  return listNamed(doc, kind).find((e) => e.name === name)?.value;
}

/** current-context of this file ('' when unset). */
export function currentContextOf(doc: KubeconfigDoc): string {
  const value = rootMap(doc).get('current-context');
  return typeof value === 'string' ? value : '';
}

/**
 * Adds or replaces the entry `name`. An existing entry with the same settings is left alone
 * ('unchanged', no rewrite); with different settings it is replaced only with `force`, else a
 * KubeconfigError names the entry and the file. Comments around a replaced entry stay.
 */
export function upsertNamed<K extends NamedKind>(
  doc: KubeconfigDoc,
  kind: K,
  name: string,
  value: EntryOf<K>,
  options: { force?: boolean } = {},
): UpsertResult {
  const key = singular(kind);
  const plain = JSON.parse(JSON.stringify(value)) as EntryOf<K>;
  const entry = kind === 'users' ? { name, [key]: plain } : { [key]: plain, name };
  const seq = seqOf(doc, kind);
  const at = indexOf(seq, name);
  const node = doc.document.createNode(entry);
  if (seq && at !== -1) {
    const old = seq.items[at] as YAMLMap;
    if (sameEntry(kind, (old.toJS(doc.document) as Record<string, unknown>)[key], plain)) return 'unchanged';
    if (!options.force) {
      throw new KubeconfigError(
        `${key} "${name}" already exists in ${displayPath(doc.path)} with different settings: pass --force to replace it`,
      );
    }
    node.commentBefore = old.commentBefore;
    node.comment = old.comment;
    node.spaceBefore = old.spaceBefore;
    detachAnchors(doc, old);
    seq.items[at] = node;
    doc.changed = true;
    return 'replaced';
  }
  if (seq) {
    if (seq.items.length === 0) seq.flow = false;
    seq.items.push(node);
  } else {
    rootMap(doc).set(kind, doc.document.createNode([entry]));
  }
  doc.changed = true;
  return 'added';
}

/**
 * Replaces only the inner value (`user:` of a users entry) of an existing entry, so comments on the
 * entry and on its name line stay; false when there is no such entry.
 */
export function replaceEntryValue<K extends NamedKind>(doc: KubeconfigDoc, kind: K, name: string, value: EntryOf<K>): boolean {
  const seq = seqOf(doc, kind);
  const at = indexOf(seq, name);
  if (!seq || at === -1) return false;
  const item = seq.items[at] as YAMLMap;
  const key = singular(kind);
  const old = item.get(key, true) as Node | undefined;
  if (old && sameEntry(kind, (item.toJS(doc.document) as Record<string, unknown>)[key], value)) return false;
  if (old) detachAnchors(doc, old);
  const node = doc.document.createNode(JSON.parse(JSON.stringify(value))) as Node;
  if (old) node.commentBefore = old.commentBefore;
  item.set(key, node);
  doc.changed = true;
  return true;
}

export function removeNamed(doc: KubeconfigDoc, kind: NamedKind, name: string): boolean {
  const seq = seqOf(doc, kind);
  const at = indexOf(seq, name);
  if (!seq || at === -1) return false;
  detachAnchors(doc, seq.items[at] as Node);
  seq.items.splice(at, 1);
  doc.changed = true;
  return true;
}

/**
 * Before an entry node goes away: aliases elsewhere (`user: *common`) that point at an anchor inside
 * it get a copy of the anchored value, so the rest of the file keeps meaning what it meant.
 */
function detachAnchors(doc: KubeconfigDoc, gone: Node): void {
  const anchors = new Map<string, Node>();
  visit(gone, {
    Node: (_key, node) => {
      const anchor = (node as { anchor?: string }).anchor;
      if (anchor) anchors.set(anchor, node as Node);
    },
  });
  if (anchors.size === 0) return;
  visit(doc.document, {
    Node: (_key, node) => (node === gone ? visit.SKIP : undefined),
    Alias: (_key, node) => {
      const target = anchors.get(node.source);
      if (!target) return undefined;
      const copy = target.clone() as Node;
      (copy as { anchor?: string }).anchor = undefined;
      return copy;
    },
  });
}

/** Sets current-context; returns false if it already was `name`. */
export function setCurrentContext(doc: KubeconfigDoc, name: string): boolean {
  if (currentContextOf(doc) === name) return false;
  rootMap(doc).set('current-context', doc.document.createNode(name));
  doc.changed = true;
  return true;
}

/**
 * Equal as kubectl sees them: kubectl rewrites `env: null`, `args: null`, `provideClusterInfo: false`
 * and a v1beta1 exec's default `interactiveMode: IfAvailable` into a file, none of which changes
 * anything; so null, false, empty lists and maps count as absent, and key order does not matter.
 */
export function sameEntry(kind: NamedKind, a: unknown, b: unknown): boolean {
  return canonical(kind, a) === canonical(kind, b);
}

function canonical(kind: NamedKind, value: unknown): string {
  const v = (strip(value) ?? {}) as Record<string, unknown>;
  const exec = v.exec as Record<string, unknown> | undefined;
  if (kind === 'users' && exec && String(exec.apiVersion).endsWith('/v1beta1') && exec.interactiveMode === undefined) {
    exec.interactiveMode = 'IfAvailable';
  }
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x).sort(([p], [q]) => (p < q ? -1 : p > q ? 1 : 0)))
      : x,
  );
}

function strip(value: unknown): unknown {
  if (value === null || value === undefined || value === false) return undefined;
  if (Array.isArray(value)) return value.length === 0 ? undefined : value.map((x) => strip(x) ?? null);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(value)) {
      const s = strip(x);
      if (s !== undefined) out[k] = s;
    }
    return Object.keys(out).length === 0 ? undefined : out;
  }
  return value;
}
