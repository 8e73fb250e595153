// Which kubeconfig files are read and which one is written, the way kubectl decides.
//
// Read list: `--kubeconfig F` alone; else KUBECONFIG split on path.delimiter (':' on Unix), empty
// entries and duplicates dropped, order kept; else ~/.kube/config (HOME from env, else os.homedir()).
//
// Write target for NEW entries and for current-context: the first file of the list (created if
// missing). kubectl's GetDefaultFilename differs slightly for a KUBECONFIG list: it takes the first
// file that EXISTS, or the last one if none exists. We take the first so that a new entry and the
// current-context we set always land in the file that wins the merge (kubectl's rule: the first file
// to define a name, or to set current-context, wins).
// Existing entries are updated where they are (kubectl's LocationOfOrigin rule): an entry that is
// already defined goes back to the first file of the list that defines it, even a later one; see
// `originFile` in merge.ts.
import { readlinkSync, realpathSync, lstatSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join, resolve, basename } from 'node:path';
import { KubeconfigError, displayPath } from './errors.js';

export type Env = Record<string, string | undefined>;

export interface KubeconfigLocation {
  /** Files read, in merge order (the first to define a name wins). */
  files: string[];
  /** Where new entries and current-context are written: files[0]. */
  writeTarget: string;
  /** True when --kubeconfig chose a single file. */
  explicit: boolean;
}

export function homeDir(env: Env): string {
  return env.HOME || homedir();
}

/** `<home>/.kube/config`, kubectl's default file. */
export function defaultKubeconfigPath(env: Env): string {
  return join(homeDir(env), '.kube', 'config');
}

export function resolveKubeconfig(input: { explicit?: string; env: Env }): KubeconfigLocation {
  if (input.explicit !== undefined && input.explicit !== '') {
    const file = resolve(input.explicit);
    return { files: [file], writeTarget: file, explicit: true };
  }
  const fromEnv = input.env.KUBECONFIG;
  if (fromEnv) {
    const files: string[] = [];
    for (const part of fromEnv.split(delimiter)) {
      if (part === '') continue;
      const file = resolve(part);
      if (!files.includes(file)) files.push(file);
    }
    if (files.length > 0) return { files, writeTarget: files[0]!, explicit: false };
  }
  const file = defaultKubeconfigPath(input.env);
  return { files: [file], writeTarget: file, explicit: false };
}

/**
 * The file a write really replaces. kubectl follows a symlinked kubeconfig (os.WriteFile writes
 * through it), and so do we: the new content goes next to the link's target, by atomic rename, and
 * the link itself stays. A dangling link is followed too (its target gets created).
 */
export function realWritePath(path: string): string {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    try {
      return realpathSync(current);
    } catch {
      // Missing target: follow the link by hand, or resolve the directory if the file is absent.
    }
    let isLink = false;
    try {
      isLink = lstatSync(current).isSymbolicLink();
    } catch {
      isLink = false;
    }
    if (!isLink) {
      try {
        return join(realpathSync(dirname(current)), basename(current));
      } catch {
        return current;
      }
    }
    current = resolve(dirname(current), readlinkSync(current));
  }
  throw new KubeconfigError(`${displayPath(path)}: too many levels of symbolic links: fix the link or pass --kubeconfig`);
}
