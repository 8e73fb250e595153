// Reads Secrets from the Cozystack management cluster through a context of the user's kubeconfig.
// A context whose user is a client certificate or a token is read with one plain request
// (management-direct.ts); any other (an exec plugin such as a kubecred OIDC context, an
// auth-provider, a proxy-url, …) with @kubernetes/client-node (management-client-node.ts), which is
// imported only then. Both hand their failures to management-errors.ts, so the same answer from the
// cluster is the same line either way, and both answers are checked with the same schema.
import type { FoundContext } from '../../kubeconfig/index.js';
import { KubecredError } from '../../shared/errors.js';
import { rememberSecret } from '../../shared/scrub.js';
import { secretSchema, type SecretObject } from './kubeconfig-payload.js';
import { findManagementContext, type ManagementTarget } from './management-context.js';
import { directPlan, directTransport } from './management-direct.js';
import { ManagementFailureError, managementError, type ManagementOperation, type ManagementTransport } from './management-errors.js';

export type { ManagementTarget } from './management-context.js';
export { ForbiddenError, SecretNotFoundError } from './management-errors.js';

export interface ManagementOptions {
  env: Record<string, string | undefined>;
  /** A person may be asked (the management context's exec plugin gets our stdin). */
  interactive: boolean;
  debug?(message: string): void;
}

export interface ManagementClient {
  /** The context actually used (the current-context when none was named). */
  readonly contextName: string;
  readonly server: string;
  readSecret(namespace: string, name: string): Promise<SecretObject>;
  /** Secrets of one namespace, or of all namespaces the identity may list. */
  listSecrets(namespace?: string): Promise<SecretObject[]>;
}

async function transportFor(found: FoundContext, options: ManagementOptions): Promise<ManagementTransport> {
  const plan = directPlan(found);
  const contextName = found.context.name;
  if ('config' in plan) {
    options.debug?.(`management context ${contextName}: ${plan.credential}, read with a direct request`);
    return directTransport(plan.config);
  }
  options.debug?.(`management context ${contextName}: ${plan.reason}, read with @kubernetes/client-node`);
  const { clientNodeTransport } = await import('./management-client-node.js');
  return clientNodeTransport(found, { interactive: options.interactive });
}

export async function openManagement(target: ManagementTarget, options: ManagementOptions): Promise<ManagementClient> {
  const found = findManagementContext(target, options.env);
  const contextName = found.context.name;
  if (!found.cluster)
    throw new KubecredError(
      `management context ${contextName} names cluster "${found.context.cluster}", which no kubeconfig file defines: fix the context or pass another --management-context`,
    );
  const server = String(found.cluster.server ?? '');
  const execArgs = found.user?.exec?.args ?? [];
  // A tenant context as its own management context would run us again, and again.
  if (execArgs[0] === 'get-token' && execArgs[1] === 'tenant') {
    throw new KubecredError(
      `context ${contextName} is itself a tenant cluster context (get-token tenant): pass the management cluster's context as --management-context`,
    );
  }
  if (typeof found.user?.token === 'string') rememberSecret(found.user.token);
  const transport = await transportFor(found, options);
  const where = { contextName, server };
  const ask = async (request: () => Promise<unknown>, op: ManagementOperation): Promise<unknown> => {
    try {
      return await request();
    } catch (err) {
      if (err instanceof ManagementFailureError) throw managementError(err.failure, where, op);
      throw err;
    }
  };

  return {
    contextName,
    server,
    async readSecret(namespace, name) {
      options.debug?.(`reading Secret ${namespace}/${name} through context ${contextName} (${server})`);
      const raw = await ask(() => transport.readSecret(namespace, name), { namespace, verb: 'get', name });
      const parsed = secretSchema.safeParse(raw);
      if (!parsed.success) throw new KubecredError(`the management cluster sent something that is not a Secret for ${namespace}/${name}`);
      return parsed.data;
    },
    async listSecrets(namespace) {
      options.debug?.(`listing Secrets in ${namespace ?? 'all namespaces'} through context ${contextName}`);
      const raw = (await ask(() => transport.listSecrets(namespace), { namespace, verb: 'list' })) as { items?: unknown } | null;
      const items: SecretObject[] = [];
      for (const item of Array.isArray(raw?.items) ? raw.items : []) {
        const parsed = secretSchema.safeParse(item);
        if (parsed.success) items.push(parsed.data);
      }
      return items;
    },
  };
}
