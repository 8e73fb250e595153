// The exec credential protocol as kubectl speaks it (client-go pkg/client/auth/exec).
// Imports nothing (the fast path reads only the apiVersion itself: store/hit-record.ts).

export const EXEC_API_V1 = 'client.authentication.k8s.io/v1';
export const EXEC_API_V1BETA1 = 'client.authentication.k8s.io/v1beta1';
export type ExecApiVersion = typeof EXEC_API_V1 | typeof EXEC_API_V1BETA1;

/** spec.cluster, present only when the kubeconfig's exec sets provideClusterInfo. */
export interface ExecCluster {
  server?: string;
  'tls-server-name'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'certificate-authority-data'?: string;
  'proxy-url'?: string;
  'disable-compression'?: boolean;
  config?: unknown;
}

export interface ExecInfo {
  apiVersion: ExecApiVersion;
  /** Whether kubectl handed us its stdin (a terminal). When false we never read stdin. */
  interactive: boolean;
  cluster?: ExecCluster;
  /** True when KUBERNETES_EXEC_INFO was absent: an old kubectl or a human running get-token. */
  absent: boolean;
}

export class ExecInfoError extends Error {}

/**
 * Parses KUBERNETES_EXEC_INFO. Absent means an old kubectl (before 1.20 did not set it) or a
 * person at a shell: we answer v1beta1, which every kubectl since 1.11 understands, and treat
 * stdin as interactive only when it is a terminal.
 */
export function parseExecInfo(raw: string | undefined, stdinIsTTY: boolean | (() => boolean)): ExecInfo {
  const tty = () => (typeof stdinIsTTY === 'function' ? stdinIsTTY() : stdinIsTTY);
  if (raw === undefined || raw === '') {
    return { apiVersion: EXEC_API_V1BETA1, interactive: tty(), absent: true };
  }
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw new ExecInfoError('KUBERNETES_EXEC_INFO is not valid JSON: run get-token from kubectl, or unset the variable');
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ExecInfoError('KUBERNETES_EXEC_INFO is not an ExecCredential object: run get-token from kubectl, or unset the variable');
  }
  const obj = doc as Record<string, unknown>;
  const apiVersion = obj.apiVersion;
  if (apiVersion !== EXEC_API_V1 && apiVersion !== EXEC_API_V1BETA1) {
    throw new ExecInfoError(
      `KUBERNETES_EXEC_INFO has apiVersion ${JSON.stringify(apiVersion)}; set the kubeconfig exec apiVersion to ${EXEC_API_V1} or ${EXEC_API_V1BETA1}`,
    );
  }
  if (obj.kind !== undefined && obj.kind !== 'ExecCredential') {
    throw new ExecInfoError(`KUBERNETES_EXEC_INFO has kind ${JSON.stringify(obj.kind)}, expected ExecCredential`);
  }
  const spec = (typeof obj.spec === 'object' && obj.spec !== null ? obj.spec : {}) as Record<string, unknown>;
  if (spec.interactive !== undefined && typeof spec.interactive !== 'boolean') wrongType('spec.interactive', 'a boolean');
  // v1 always sets interactive; v1beta1 from older kubectl may omit it — then a TTY decides.
  const interactive = typeof spec.interactive === 'boolean' ? spec.interactive : tty();
  const cluster = typeof spec.cluster === 'object' && spec.cluster !== null ? (spec.cluster as ExecCluster) : undefined;
  if (cluster) checkCluster(cluster as Record<string, unknown>);
  return { apiVersion, interactive, cluster, absent: false };
}

function wrongType(field: string, expected: string): never {
  throw new ExecInfoError(`KUBERNETES_EXEC_INFO: ${field} is not ${expected}; run get-token from kubectl, or unset the variable`);
}

const CLUSTER_FIELDS: Record<string, 'string' | 'boolean'> = {
  server: 'string',
  'tls-server-name': 'string',
  'insecure-skip-tls-verify': 'boolean',
  'certificate-authority-data': 'string',
  'proxy-url': 'string',
  'disable-compression': 'boolean',
};

/** The fields kubecred may use must have their protocol types (hand-checked: no zod on this path). */
function checkCluster(cluster: Record<string, unknown>): void {
  for (const [field, type] of Object.entries(CLUSTER_FIELDS)) {
    const value = cluster[field];
    if (value !== undefined && typeof value !== type) wrongType(`spec.cluster.${field}`, `a ${type}`);
  }
}
