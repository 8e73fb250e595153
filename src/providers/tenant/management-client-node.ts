// Secrets read with @kubernetes/client-node, for the management contexts the direct request does not
// cover (an exec plugin such as a kubecred OIDC context, an auth-provider, username and password,
// a proxy-url, impersonation, …). client-node is imported here only, on a miss or an explicit command.
//
// The context is handed to client-node as a one-context config with file paths made absolute. When
// its user is an exec plugin, client-node runs it; we make that child inherit our terminal (stdin
// when we may be interactive, and its stderr echoed live) and give it the KUBERNETES_EXEC_INFO
// kubectl would, so a login it needs reaches the person.
import { spawn, type SpawnOptions } from 'node:child_process';
import type { FoundContext } from '../../kubeconfig/index.js';
import { importEsm } from '../../infra/esm-import.js';
import { rememberSecret } from '../../shared/scrub.js';
import { absolutize, PATH_FIELDS } from './management-context.js';
import { jsonOrUndefined, ManagementFailureError, type ManagementFailure, type ManagementTransport } from './management-errors.js';

export interface ClientNodeOptions {
  /** A person may be asked (the management context's exec plugin gets our stdin). */
  interactive: boolean;
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

export async function clientNodeTransport(found: FoundContext, options: ClientNodeOptions): Promise<ManagementTransport> {
  const k8s = await importEsm<typeof import('@kubernetes/client-node')>('@kubernetes/client-node');
  const kc = new k8s.KubeConfig();
  kc.loadFromString(oneContextConfig(found));
  const pluginFailed = { code: undefined as number | null | undefined };
  routeExecPluginToTerminal(kc, found, options, pluginFailed);
  const api = kc.makeApiClient(k8s.CoreV1Api);

  const failure = (err: unknown): ManagementFailure => {
    if (err instanceof k8s.ApiException)
      return { kind: 'status', status: err.code, body: typeof err.body === 'string' ? jsonOrUndefined(err.body) : err.body };
    if (pluginFailed.code !== undefined) return { kind: 'plugin', exitCode: pluginFailed.code };
    const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
    const message = String(e.message ?? err);
    // A 2xx body that is not JSON: JSON.parse's SyntaxError, or ObjectSerializer's "Cannot parse content".
    if (err instanceof SyntaxError || /^Cannot parse content|^The mediaType .* is not supported/.test(message)) return { kind: 'not-json' };
    const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
    return { kind: 'network', ...(code ? { code } : {}), message };
  };
  const call = async (request: () => Promise<unknown>): Promise<unknown> => {
    try {
      return await request();
    } catch (err) {
      throw new ManagementFailureError(failure(err));
    }
  };
  return {
    readSecret: (namespace, name) => call(() => api.readNamespacedSecret({ name, namespace })),
    listSecrets: (namespace) =>
      call(() => (namespace === undefined ? api.listSecretForAllNamespaces() : api.listNamespacedSecret({ namespace }))),
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
  options: ClientNodeOptions,
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
    // The token it hands client-node is ours to keep out of messages too (a server may echo it).
    let stdout = '';
    child.stdout?.on('data', (chunk: Buffer | string) => {
      if (stdout.length < 1024 * 1024) stdout += String(chunk);
    });
    child.on('close', () => {
      try {
        rememberSecret((JSON.parse(stdout) as { status?: { token?: unknown } }).status?.token as string | undefined);
      } catch {
        // not an ExecCredential: client-node says so
      }
    });
    child.on('close', (code) => {
      if (code !== 0) failed.code = code;
    });
    return child;
  }) as typeof spawn;
}
