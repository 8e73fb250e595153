// What went wrong reading Secrets from the management cluster, in one line. Both ways of reading
// (a direct request for a client certificate or token context, client-node for the others) turn
// their failures into a ManagementFailure, and this one function words it: the same answer from the
// cluster gives the same line, whichever path asked. Anything the server said is scrubbed (our
// token removed, control characters dropped, clipped) before it is shown.
import { KubecredError } from '../../shared/errors.js';
import { scrubServerText } from '../../shared/scrub.js';

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

export type ManagementFailure =
  /** An HTTP answer other than 2xx; `body` is its JSON (a kube-apiserver Status), else undefined. */
  | { kind: 'status'; status: number; body: unknown }
  /** No answer: Node's error code (ECONNREFUSED, a TLS code, …), else its message. */
  | { kind: 'network'; code?: string; message: string; timedOut?: boolean }
  /** A 2xx answer that is not JSON. */
  | { kind: 'not-json' }
  | { kind: 'too-large'; maxBytes: number }
  /** A file the management context names cannot be read. */
  | { kind: 'file'; field: string; file: string; code: string }
  /** The context's exec plugin exited non-zero (null: killed). */
  | { kind: 'plugin'; exitCode: number | null };

/** One way of reading Secrets: the JSON answered, or a ManagementFailureError. */
export interface ManagementTransport {
  readSecret(namespace: string, name: string): Promise<unknown>;
  listSecrets(namespace?: string): Promise<unknown>;
}

/** An answer's text as JSON, or undefined when it is not JSON (both transports read bodies so). */
export function jsonOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Thrown by a transport; openManagement turns it into the one line. */
export class ManagementFailureError extends Error {
  constructor(readonly failure: ManagementFailure) {
    super(failure.kind);
  }
}

export interface ManagementWhere {
  contextName: string;
  server: string;
}

export interface ManagementOperation {
  namespace?: string;
  verb: 'get' | 'list';
  /** The Secret read (get only). */
  name?: string;
}

function statusMessage(body: unknown): string {
  return typeof body === 'object' && body !== null ? String((body as { message?: unknown }).message ?? '') : '';
}

/** kube-apiserver's 403 message names the user: `… User "alice" cannot get resource …`. */
function forbiddenUser(body: unknown): string {
  const user = /User "([^"]*)"/.exec(statusMessage(body))?.[1];
  return user === undefined ? 'of the management context' : scrubServerText(user, 120) || '""';
}

const TLS_CODE = /CERT|SELF_SIGNED|UNABLE_TO|TLS|SSL|HOSTNAME|ALTNAME/;

function tlsHint(code: string): string {
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID')
    return `its certificate is ${code === 'CERT_HAS_EXPIRED' ? 'expired' : 'not valid yet'}: have it renewed, or check this machine's clock`;
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID')
    return "its certificate is not for this address: check the cluster's server and tls-server-name in the kubeconfig";
  return "the cluster's certificate-authority(-data) in the kubeconfig did not sign its certificate: update it (the CA may have been rotated) or pass another --management-context";
}

export function managementError(failure: ManagementFailure, where: ManagementWhere, op: ManagementOperation): KubecredError {
  const { server, contextName } = where;
  const scope = op.namespace ?? 'all namespaces';
  switch (failure.kind) {
    case 'status': {
      if (failure.status === 403) return new ForbiddenError(forbiddenUser(failure.body), op.namespace, op.verb);
      if (failure.status === 404 && op.name) return new SecretNotFoundError(`Secret ${op.name} not found in namespace ${op.namespace}`);
      if (failure.status === 401)
        return new KubecredError(
          `the management cluster ${server} refused the credential of context ${contextName} (401 Unauthorized): log in again (kubecred login --context ${contextName}) or fix that context`,
        );
      const message = scrubServerText(statusMessage(failure.body).split('\n')[0]);
      return new KubecredError(
        `the management cluster ${server} answered ${failure.status}${message ? ` (${message})` : ''} reading secrets in ${scope}`,
      );
    }
    case 'plugin':
      return new KubecredError(
        `the credential plugin of management context ${contextName} failed${failure.exitCode === null ? '' : ` (exit ${failure.exitCode})`}; its message is above: log in with kubecred login --context ${contextName}, then retry`,
      );
    case 'not-json':
      return new KubecredError(
        op.name
          ? `the management cluster sent something that is not a Secret for ${op.namespace}/${op.name}`
          : `the management cluster sent something that is not a list of Secrets for ${scope}`,
      );
    case 'too-large':
      return new KubecredError(
        `the management cluster ${server} sent more than ${Math.round(failure.maxBytes / 1024 / 1024)} MiB reading secrets in ${scope}; refusing it`,
      );
    case 'file':
      return new KubecredError(
        `cannot read ${failure.field} ${failure.file} of management context ${contextName}: ${failure.code}: fix that context or pass another --management-context`,
      );
    case 'network': {
      if (failure.code && TLS_CODE.test(failure.code))
        return new KubecredError(
          `TLS verification of the management cluster ${server} (context ${contextName}) failed (${failure.code}): ${tlsHint(failure.code)}`,
        );
      const reason = failure.timedOut ? failure.message : (failure.code ?? scrubServerText(failure.message.split('\n')[0]));
      return new KubecredError(
        `the management cluster ${server} (context ${contextName}) is unreachable: ${reason}: check the network, the VPN, or --management-context`,
      );
    }
  }
}
