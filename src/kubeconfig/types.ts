// The kubeconfig shapes kubecred reads and writes (field names as in the file).

export type NamedKind = 'clusters' | 'users' | 'contexts';

export interface ClusterEntry {
  server: string;
  'certificate-authority'?: string;
  'certificate-authority-data'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  'proxy-url'?: string;
  'disable-compression'?: boolean;
  [field: string]: unknown;
}

export interface ExecEnvVar {
  name: string;
  value: string;
}

export type InteractiveMode = 'Never' | 'IfAvailable' | 'Always';

export interface ExecConfig {
  apiVersion: string;
  command: string;
  args?: string[];
  env?: ExecEnvVar[] | null;
  installHint?: string;
  provideClusterInfo?: boolean;
  interactiveMode?: InteractiveMode;
  [field: string]: unknown;
}

export interface UserEntry {
  exec?: ExecConfig;
  [field: string]: unknown;
}

export interface ContextEntry {
  cluster: string;
  user: string;
  namespace?: string;
  [field: string]: unknown;
}

export type EntryOf<K extends NamedKind> = K extends 'clusters' ? ClusterEntry : K extends 'users' ? UserEntry : ContextEntry;

/** `clusters` → `cluster`: the key of the inner object, and the noun used in messages. */
export function singular(kind: NamedKind): 'cluster' | 'user' | 'context' {
  return kind === 'clusters' ? 'cluster' : kind === 'users' ? 'user' : 'context';
}

export const NAMED_KINDS: readonly NamedKind[] = ['clusters', 'users', 'contexts'];
