// Secrets read with one plain request (src/infra/kube-api-request.ts) when the management context
// needs nothing more: a client certificate and key, a bearer token or a tokenFile, and a cluster
// with a server, a CA, tls-server-name or insecure-skip-tls-verify. That is most management
// contexts (kubeadm's admin.conf, a service account token), and it spares a miss loading
// @kubernetes/client-node (~0.7 s of a ~1 s miss). Anything else (an exec plugin, an auth-provider,
// username and password, a proxy-url, impersonation, a field we do not know) goes to client-node,
// which handles it as before.
import type { FoundContext } from '../../kubeconfig/index.js';
import {
  KubeApiFileError,
  KubeApiNetworkError,
  KubeApiTooLargeError,
  kubeApiGet,
  type KubeApiAnswer,
  type KubeApiConfig,
} from '../../infra/kube-api-request.js';
import { isLoopbackHostname } from '../../infra/http.js';
import { absolutize, PATH_FIELDS } from './management-context.js';
import { jsonOrUndefined, ManagementFailureError, type ManagementFailure, type ManagementTransport } from './management-errors.js';

/** A request config for the direct path, with what the credential is (for --verbose); else why client-node is needed. */
export type DirectPlan = { config: KubeApiConfig; credential: string } | { reason: string };

const USER_FIELDS = new Set([
  'client-certificate',
  'client-certificate-data',
  'client-key',
  'client-key-data',
  'token',
  'tokenFile',
  'extensions',
]);
const CLUSTER_FIELDS = new Set([
  'server',
  'certificate-authority',
  'certificate-authority-data',
  'tls-server-name',
  'insecure-skip-tls-verify',
  'extensions',
  'disable-compression',
]);
const BOOLEAN_FIELDS = new Set(['insecure-skip-tls-verify', 'disable-compression']);

const WHY: Record<string, string> = {
  exec: 'an exec plugin',
  'auth-provider': 'an auth-provider',
  username: 'username and password',
  password: 'username and password',
  'proxy-url': 'a proxy-url',
  as: 'impersonation',
  'as-uid': 'impersonation',
  'as-groups': 'impersonation',
  'as-user-extra': 'impersonation',
};

/** The entry's fields that are set, without our own name and file. */
function setFields(entry: Record<string, unknown>): Array<[string, unknown]> {
  return Object.entries(entry).filter(([k, v]) => k !== 'name' && k !== 'file' && v !== undefined && v !== null);
}

function unsupported(entry: Record<string, unknown>, allowed: Set<string>, what: string): string | undefined {
  for (const [k, v] of setFields(entry)) {
    if (!allowed.has(k)) return WHY[k] ?? `${what} field ${k}`;
    if (k !== 'extensions' && typeof v !== (BOOLEAN_FIELDS.has(k) ? 'boolean' : 'string'))
      return `${what} field ${k} of an unexpected type`;
  }
  return undefined;
}

const pem = (b64: unknown): string | undefined =>
  typeof b64 === 'string' && b64 !== '' ? Buffer.from(b64, 'base64').toString('utf8') : undefined;
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export function directPlan(found: FoundContext): DirectPlan {
  if (!found.user) return { reason: 'no user entry' };
  if (!found.cluster) return { reason: 'no cluster entry' };
  const why = unsupported(found.user, USER_FIELDS, 'user') ?? unsupported(found.cluster, CLUSTER_FIELDS, 'cluster');
  if (why) return { reason: why };
  const user = absolutize(found.user, PATH_FIELDS.user, found.user.file);
  const cluster = absolutize(found.cluster, PATH_FIELDS.cluster, found.cluster.file);
  const cert = { data: pem(user['client-certificate-data']), file: text(user['client-certificate']) };
  const key = { data: pem(user['client-key-data']), file: text(user['client-key']) };
  const hasCert = Boolean(cert.data ?? cert.file);
  if (hasCert !== Boolean(key.data ?? key.file)) return { reason: 'a client certificate without its key' };
  const token = text(user.token);
  const tokenFile = text(user.tokenFile);
  if (!hasCert && !token && !tokenFile) return { reason: 'no client certificate or token' };
  let server: URL;
  try {
    server = new URL(String(cluster.server ?? ''));
  } catch {
    return { reason: 'a server that is not a URL' };
  }
  const insecure = cluster['insecure-skip-tls-verify'] === true;
  // client-node refuses plain http without insecure-skip-tls-verify; where it cannot be overheard
  // (`kubectl proxy` on this machine) it is fine.
  if (server.protocol === 'http:' && !insecure && !isLoopbackHostname(server.hostname)) return { reason: 'plain http to another machine' };
  if (server.protocol !== 'https:' && server.protocol !== 'http:') return { reason: `a ${server.protocol}// server` };
  const caData = pem(cluster['certificate-authority-data']);
  const caFile = text(cluster['certificate-authority']);
  const tlsServerName = text(cluster['tls-server-name']);
  const config: KubeApiConfig = {
    server: server.href,
    ...(caData ? { caData } : {}),
    ...(caFile ? { caFile } : {}),
    ...(tlsServerName ? { tlsServerName } : {}),
    ...(insecure ? { insecureSkipTlsVerify: true } : {}),
    ...(cert.data ? { certData: cert.data } : cert.file ? { certFile: cert.file } : {}),
    ...(key.data ? { keyData: key.data } : key.file ? { keyFile: key.file } : {}),
    ...(token ? { bearerToken: token } : {}),
    ...(tokenFile ? { bearerTokenFile: tokenFile } : {}),
  };
  const bearer = tokenFile ? 'tokenFile' : token ? 'token' : undefined;
  return { config, credential: hasCert ? `client certificate${bearer ? ` and ${bearer}` : ''}` : bearer! };
}

function failureOf(err: unknown): ManagementFailure {
  if (err instanceof KubeApiFileError) return { kind: 'file', field: err.field, file: err.file, code: err.code };
  if (err instanceof KubeApiTooLargeError) return { kind: 'too-large', maxBytes: err.maxBytes };
  if (err instanceof KubeApiNetworkError)
    return { kind: 'network', ...(err.code ? { code: err.code } : {}), message: err.message, ...(err.timedOut ? { timedOut: true } : {}) };
  // A TLS option Node refused (a CA or key that is not PEM), thrown before any connection.
  const code = (err as { code?: unknown }).code;
  return { kind: 'network', ...(typeof code === 'string' ? { code } : {}), message: String((err as Error).message ?? err) };
}

/** As client-node: an error's body is read as JSON whatever its type; a 2xx answer must say it is JSON. */
function interpret(answer: KubeApiAnswer): unknown {
  if (answer.status < 200 || answer.status > 299)
    throw new ManagementFailureError({ kind: 'status', status: answer.status, body: jsonOrUndefined(answer.text) });
  const json = answer.contentType === 'application/json' || /\+json$/.test(answer.contentType ?? '');
  const body = json ? jsonOrUndefined(answer.text) : undefined;
  if (body === undefined) throw new ManagementFailureError({ kind: 'not-json' });
  return body;
}

export function directTransport(config: KubeApiConfig): ManagementTransport {
  const get = async (path: string): Promise<unknown> => {
    let answer: KubeApiAnswer;
    try {
      answer = await kubeApiGet(config, path);
    } catch (err) {
      throw new ManagementFailureError(failureOf(err));
    }
    return interpret(answer);
  };
  const ns = (namespace: string) => `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;
  return {
    readSecret: (namespace, name) => get(`${ns(namespace)}/${encodeURIComponent(name)}`),
    listSecrets: (namespace) => get(namespace === undefined ? '/api/v1/secrets' : ns(namespace)),
  };
}
