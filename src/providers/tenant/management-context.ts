// Which context of the user's kubeconfig reaches the management cluster: found with our own merge
// rules (KUBECONFIG lists, kubectl's "first file wins"), with the file paths it names made absolute
// as kubectl reads them (relative to the file that defines the entry).
import { dirname, isAbsolute, resolve } from 'node:path';
import { findContext, resolveKubeconfig, type FoundContext } from '../../kubeconfig/index.js';
import { parseFlags, stringFlag } from '../../exec/flags.js';
import { tenantGetTokenFlags } from './flags.js';

export interface ManagementTarget {
  /** Context name; undefined: the kubeconfig's current-context. */
  context?: string;
  /** --management-kubeconfig; undefined: KUBECONFIG / ~/.kube/config. */
  kubeconfig?: string;
}

/** The fields of a cluster and a user entry that name files. */
export const PATH_FIELDS = { cluster: ['certificate-authority'], user: ['client-certificate', 'client-key', 'tokenFile'] } as const;

export function absolutize(entry: Record<string, unknown>, fields: readonly string[], file: string): Record<string, unknown> {
  const out = { ...entry };
  for (const f of fields) {
    const v = out[f];
    if (typeof v === 'string' && v !== '' && !isAbsolute(v)) out[f] = resolve(dirname(file), v);
  }
  const exec = out.exec as Record<string, unknown> | undefined;
  // kubectl resolves an exec command with a path separator relative to the kubeconfig's directory.
  if (exec && typeof exec.command === 'string' && exec.command.includes('/') && !isAbsolute(exec.command)) {
    out.exec = { ...exec, command: resolve(dirname(file), exec.command) };
  }
  return out;
}

/**
 * Without --management-context: the current context, unless that is itself a tenant context (right
 * after `setup-context tenant --use`), whose own --management-context is then meant.
 */
export function findManagementContext(target: ManagementTarget, env: Record<string, string | undefined>): FoundContext {
  const { files } = resolveKubeconfig({ explicit: target.kubeconfig, env });
  const found = findContext(files, target.context);
  const args = found.user?.exec?.args ?? [];
  if (target.context !== undefined || args[0] !== 'get-token' || args[1] !== 'tenant') return found;
  const values = parseFlags(tenantGetTokenFlags, args.slice(2), env).values;
  const context = stringFlag(values, 'management-context');
  if (!context) return found;
  return findManagementContext({ context, kubeconfig: stringFlag(values, 'management-kubeconfig') ?? target.kubeconfig }, env);
}
