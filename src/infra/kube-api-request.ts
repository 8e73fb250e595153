// One GET to a Kubernetes API server over node:https (node:http for an http:// server), with a
// kubeconfig's cluster and a static credential as client-go builds its transport: the cluster's CA
// as the only roots when one is given (else the system's), tls-server-name for SNI and the
// certificate check, insecure-skip-tls-verify, a client certificate and key, a bearer token (a
// tokenFile read at request time, the token as its fallback). A timeout from connect to last byte,
// a cap on the body, no redirects, no proxy. node:https is loaded on the first request only.
//
// Answers come back as they are (status, content type, text): what they mean is the caller's.
// Failures are typed, never worded with what was sent: the token stays in the header it went in.
import { readFileSync } from 'node:fs';
import { rememberSecret } from '../shared/scrub.js';
import { VERSION } from '../shared/version.js';
import { readCappedBody } from './capped-body.js';

export interface KubeApiConfig {
  /** https://host[:port][/prefix], as the kubeconfig's `server`. */
  server: string;
  /** PEM of the cluster CA (certificate-authority-data decoded); wins over caFile, as in client-go. */
  caData?: string;
  caFile?: string;
  /** tls-server-name: SNI and the name the server's certificate must hold. */
  tlsServerName?: string;
  insecureSkipTlsVerify?: boolean;
  /** PEM (client-certificate-data / client-key-data decoded), or files. Data wins over a file. */
  certData?: string;
  certFile?: string;
  keyData?: string;
  keyFile?: string;
  bearerToken?: string;
  /** Read on every request; when unreadable, bearerToken is used if set (client-go's rule). */
  bearerTokenFile?: string;
  timeoutMs?: number;
  maxResponseBytes?: number;
}

export interface KubeApiAnswer {
  status: number;
  /** The Content-Type without parameters, lower case. */
  contentType?: string;
  text: string;
}

/** A file the config names cannot be read. `field` is the kubeconfig's name for it. */
export class KubeApiFileError extends Error {
  constructor(
    readonly field: string,
    readonly file: string,
    readonly code: string,
  ) {
    super(`cannot read ${field} ${file}: ${code}`);
  }
}

/** The request did not get an answer: `code` is Node's (ECONNREFUSED, UNABLE_TO_VERIFY_LEAF_SIGNATURE, …) or 'ETIMEDOUT'. */
export class KubeApiNetworkError extends Error {
  constructor(
    readonly code: string | undefined,
    message: string,
    readonly timedOut = false,
  ) {
    super(message);
  }
}

/** The answer was larger than maxResponseBytes (it is not read further). */
export class KubeApiTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`response larger than ${Math.round(maxBytes / 1024 / 1024)} MiB`);
  }
}

export const KUBE_API_TIMEOUT_MS = 30_000;
/** A Secret is at most 1 MiB of data (base64 in JSON: ~1.4 MiB); a list of them can be many. */
export const KUBE_API_MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

function readConfigFile(field: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new KubeApiFileError(field, file, (err as NodeJS.ErrnoException).code ?? 'unreadable');
  }
}

function bearer(config: KubeApiConfig): string | undefined {
  if (config.bearerTokenFile) {
    try {
      const fromFile = readFileSync(config.bearerTokenFile, 'utf8').trim();
      if (fromFile) return fromFile;
    } catch (err) {
      if (!config.bearerToken)
        throw new KubeApiFileError('tokenFile', config.bearerTokenFile, (err as NodeJS.ErrnoException).code ?? 'unreadable');
    }
  }
  return config.bearerToken || undefined;
}

/** GET `path` (with its query) on the server. */
export async function kubeApiGet(config: KubeApiConfig, path: string): Promise<KubeApiAnswer> {
  const base = new URL(config.server);
  const target = new URL(base.pathname.replace(/\/+$/, '') + path, base);
  const secure = target.protocol === 'https:';
  const ca = config.caData || (config.caFile ? readConfigFile('certificate-authority', config.caFile) : undefined);
  const cert = config.certData || (config.certFile ? readConfigFile('client-certificate', config.certFile) : undefined);
  const key = config.keyData || (config.keyFile ? readConfigFile('client-key', config.keyFile) : undefined);
  const token = bearer(config);
  const timeoutMs = config.timeoutMs ?? KUBE_API_TIMEOUT_MS;
  const maxBytes = config.maxResponseBytes ?? KUBE_API_MAX_RESPONSE_BYTES;
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': `kubecred/${VERSION}` };
  if (token) {
    // No message a server sends back may show it (scrubServerText).
    rememberSecret(token);
    headers.authorization = `Bearer ${token}`;
  }
  // Lazily, per scheme: node:https brings node:tls, which nothing else on a get-token miss loads.
  const transport = secure ? await import('node:https') : await import('node:http');
  return new Promise<KubeApiAnswer>((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const fail = (err: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      reject(err);
    };
    const tls = secure
      ? {
          ...(ca ? { ca } : {}),
          ...(cert ? { cert } : {}),
          ...(key ? { key } : {}),
          ...(config.tlsServerName ? { servername: config.tlsServerName } : {}),
          rejectUnauthorized: config.insecureSkipTlsVerify !== true,
        }
      : {};
    const req = transport.request(target, { method: 'GET', headers, agent: false, ...tls }, (res) =>
      readCappedBody(res, maxBytes, {
        tooLarge: () => fail(new KubeApiTooLargeError(maxBytes)),
        error: (err) => fail(networkError(err)),
        done: (text) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          const type = res.headers['content-type'];
          resolve({ status: res.statusCode ?? 0, ...(type ? { contentType: type.split(';')[0]!.trim().toLowerCase() } : {}), text });
        },
      }),
    );
    timer = setTimeout(() => {
      fail(new KubeApiNetworkError('ETIMEDOUT', `no answer within ${Math.round(timeoutMs / 1000)}s`, true));
      req.destroy();
    }, timeoutMs);
    req.on('error', (err) => fail(networkError(err)));
    req.end();
  });
}

function networkError(err: Error): KubeApiNetworkError {
  const code = (err as NodeJS.ErrnoException).code;
  return new KubeApiNetworkError(typeof code === 'string' ? code : undefined, (err.message ?? String(err)).split('\n')[0]!);
}
