// Reads Secrets from the Cozystack management cluster with @kubernetes/client-node, through a context
// of the user's kubeconfig. client-node is imported here only, on a miss or an explicit command.
//
// The context is found with our own merge rules (KUBECONFIG lists, kubectl's "first file wins"), and
// handed to client-node as a one-context config with file paths made absolute. When its user is an
// exec plugin (a kubecred OIDC context, say), client-node runs it; we make that child inherit our
// terminal (stdin when we may be interactive, and its stderr echoed live) and give it the
// KUBERNETES_EXEC_INFO kubectl would, so a login it needs reaches the person.
import { spawn, type SpawnOptions } from 'node:child_process';
import { dirname, isAbsolute, resolve } from 'node:path';
import { findContext, resolveKubeconfig, type FoundContext } from '../../kubeconfig/index.js';
import { KubecredError } from '../../shared/errors.js';
import { secretSchema, type SecretObject } from './kubeconfig-payload.js';
import { parseFlags, stringFlag } from '../../exec/flags.js';
import { tenantGetTokenFlags } from './flags.js';
import { importEsm } from '../../infra/esm-import.js';

export interface ManagementTarget {
  /** Context name; undefined: the kubeconfig's current-context. */
  context?: string;
  /** --management-kubeconfig; undefined: KUBECONFIG / ~/.kube/config. */
  kubeconfig?: string;
}

export interface ManagementOptions {
  env: Record<string, string | undefined>;
  /** A person may be asked (the management context's exec plugin gets our stdin). */
  interactive: boolean;
  debug?(message: string): void;
}

/** The management cluster said 403: `user` is who it took us for. */
export class ForbiddenError extends KubecredError {
  constructor(
    readonly user: string,
    readonly namespace: string | undefined,
    readonly verb: string,
  ) {
    super(
      `identity ${user} cannot ${verb} secrets in ${namespace ?? 'all namespaces'}: ask the platform admin for access to ${namespace ?? 'the tenant namespaces'} or use another --management-context`,
    );
  }
}

export class SecretNotFoundError extends KubecredError {}

export interface ManagementClient {
  /** The context actually used (the current-context when none was named). */
  readonly contextName: string;
  readonly server: string;
  readSecret(namespace: string, name: string): Promise<SecretObject>;
  /** Secrets of one namespace, or of all namespaces the identity may list. */
  listSecrets(namespace?: string): Promise<SecretObject[]>;
}

const PATH_FIELDS = { cluster: ['certificate-authority'], user: ['client-certificate', 'client-key', 'tokenFile'] } as const;

function absolutize(entry: Record<string, unknown>, fields: readonly string[], file: string): Record<string, unknown> {
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

function oneContextConfig(found: FoundContext): string {
  const { name: _c, file: clusterFile, ...cluster } = found.cluster!;
  const { name: _u, file: userFile, ...user } = found.user ?? { name: '', file: found.file };
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'management', cluster: absolutize(cluster, PATH_FIELDS.cluster, clusterFile) }],
    users: [{ name: 'management', user: absolutize(user, PATH_FIELDS.user, userFile) }],
    contexts: [{ name: found.context.name, context: { cluster: 'management', user: 'management' } }],
    'current-context': found.context.name,
  });
}

/** kube-apiserver's 403 message names the user: `… User "alice" cannot get resource …`. */
function forbiddenUser(body: unknown): string {
  const message = typeof body === 'object' && body !== null ? String((body as { message?: unknown }).message ?? '') : '';
  return /User "([^"]*)"/.exec(message)?.[1] ?? 'of the management context';
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/**
 * Without --management-context: the current context, unless that is itself a tenant context (right
 * after `setup-context tenant --use`), whose own --management-context is then meant.
 */
function findManagementContext(target: ManagementTarget, env: Record<string, string | undefined>): FoundContext {
  const { files } = resolveKubeconfig({ explicit: target.kubeconfig, env });
  const found = findContext(files, target.context);
  const args = found.user?.exec?.args ?? [];
  if (target.context !== undefined || args[0] !== 'get-token' || args[1] !== 'tenant') return found;
  const values = parseFlags(tenantGetTokenFlags, args.slice(2), env).values;
  const context = stringFlag(values, 'management-context');
  if (!context) return found;
  return findManagementContext({ context, kubeconfig: stringFlag(values, 'management-kubeconfig') ?? target.kubeconfig }, env);
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
  const k8s = await importEsm<typeof import('@kubernetes/client-node')>('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromString(oneContextConfig(found));
  const pluginFailed = { code: undefined as number | null | undefined };
  routeExecPluginToTerminal(kc, found, options, pluginFailed);
  const api = kc.makeApiClient(k8s.CoreV1Api);

  const fail = (err: unknown, namespace: string | undefined, verb: string, name?: string): never => {
    if (err instanceof k8s.ApiException) {
      const body = parseBody(err.body);
      if (err.code === 403) throw new ForbiddenError(forbiddenUser(body), namespace, verb);
      if (err.code === 404 && name) throw new SecretNotFoundError(`Secret ${name} not found in namespace ${namespace}`);
      if (err.code === 401)
        throw new KubecredError(
          `the management cluster ${server} refused the credential of context ${contextName} (401 Unauthorized): log in again (kubecred login --context ${contextName}) or fix that context`,
        );
      const message = typeof body === 'object' && body !== null ? String((body as { message?: unknown }).message ?? '') : '';
      throw new KubecredError(
        `the management cluster ${server} answered ${err.code}${message ? ` (${message.split('\n')[0]})` : ''} reading secrets in ${namespace ?? 'all namespaces'}`,
      );
    }
    if (pluginFailed.code !== undefined) {
      throw new KubecredError(
        `the credential plugin of management context ${contextName} failed${pluginFailed.code === null ? '' : ` (exit ${pluginFailed.code})`}; its message is above: log in with kubecred login --context ${contextName}, then retry`,
      );
    }
    const e = err as { code?: unknown; errno?: unknown; message?: unknown; cause?: { code?: unknown } };
    const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
    const reason = code ?? String(e.message ?? err).split('\n')[0];
    throw new KubecredError(
      `the management cluster ${server} (context ${contextName}) is unreachable: ${reason}: check the network, the VPN, or --management-context`,
    );
  };

  return {
    contextName,
    server,
    async readSecret(namespace, name) {
      options.debug?.(`reading Secret ${namespace}/${name} through context ${contextName} (${server})`);
      let raw: unknown;
      try {
        raw = await api.readNamespacedSecret({ name, namespace });
      } catch (err) {
        return fail(err, namespace, 'get', name);
      }
      const parsed = secretSchema.safeParse(raw);
      if (!parsed.success) throw new KubecredError(`the management cluster sent something that is not a Secret for ${namespace}/${name}`);
      return parsed.data;
    },
    async listSecrets(namespace) {
      options.debug?.(`listing Secrets in ${namespace ?? 'all namespaces'} through context ${contextName}`);
      let raw: { items?: unknown[] };
      try {
        raw = namespace === undefined ? await api.listSecretForAllNamespaces() : await api.listNamespacedSecret({ namespace });
      } catch (err) {
        return fail(err, namespace, 'list');
      }
      const items: SecretObject[] = [];
      for (const item of raw.items ?? []) {
        const parsed = secretSchema.safeParse(item);
        if (parsed.success) items.push(parsed.data);
      }
      return items;
    },
  };
}

/**
 * client-node spawns the exec plugin with every stream piped and reports only its stderr text after
 * it exits: a browser URL or a password prompt would never be seen. Its ExecAuth keeps the spawn
 * function in a field (`execFn`), which we replace with one that lets the child talk to the person.
 */
function routeExecPluginToTerminal(
  kc: object,
  found: FoundContext,
  options: ManagementOptions,
  failed: { code: number | null | undefined },
): void {
  const exec = found.user?.exec;
  if (!exec) return;
  const authenticators = (kc as { authenticators?: unknown[] }).authenticators ?? [];
  const execAuth = authenticators.find((a): a is { execFn: typeof spawn } => typeof (a as { execFn?: unknown }).execFn === 'function');
  if (!execAuth) return;
  const execInfo = JSON.stringify({
    kind: 'ExecCredential',
    apiVersion: typeof exec.apiVersion === 'string' ? exec.apiVersion : 'client.authentication.k8s.io/v1',
    spec: { interactive: options.interactive },
  });
  execAuth.execFn = ((command: string, args: readonly string[], spawnOptions: SpawnOptions = {}) => {
    const env = { ...(spawnOptions.env ?? process.env), KUBERNETES_EXEC_INFO: execInfo };
    const child = spawn(command, args, { ...spawnOptions, env, stdio: [options.interactive ? 'inherit' : 'ignore', 'pipe', 'pipe'] });
    child.stderr?.on('data', (chunk: Buffer) => process.stderr.write(chunk));
    child.on('close', (code) => {
      if (code !== 0) failed.code = code;
    });
    return child;
  }) as typeof spawn;
}
