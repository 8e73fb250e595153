// A few requests to a cluster's API server with a kubeconfig's cluster settings (CA, tls-server-name,
// insecure-skip-tls-verify, proxy-url) and a credential: whoami's and doctor's self reviews and
// /version. undici is loaded here only (never on the get-token paths).
import { readFileSync } from 'node:fs';
import type { CredentialMaterial } from '../exec/exec-credential.js';
import type { ClusterEntry } from '../kubeconfig/types.js';
import { describeNetworkError } from './http.js';
import { KubecredError } from '../shared/errors.js';

/** The cluster settings a request needs: the kubeconfig's cluster stanza, minus what does not matter here. */
export type ClusterTarget = Pick<
  ClusterEntry,
  'server' | 'certificate-authority' | 'certificate-authority-data' | 'insecure-skip-tls-verify' | 'tls-server-name' | 'proxy-url'
>;

export interface ApiAnswer {
  status: number;
  /** The server's Date header. */
  date?: Date;
  body: unknown;
  text: string;
}

function caOf(target: ClusterTarget): string | undefined {
  if (target['certificate-authority-data']) return Buffer.from(target['certificate-authority-data'], 'base64').toString('utf8');
  if (target['certificate-authority']) return readFileSync(target['certificate-authority'], 'utf8');
  return undefined;
}

export async function apiRequest(
  target: ClusterTarget,
  credential: CredentialMaterial | undefined,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  timeoutMs = 10_000,
): Promise<ApiAnswer> {
  const undici = await import('undici');
  const tls = {
    ca: caOf(target),
    rejectUnauthorized: target['insecure-skip-tls-verify'] !== true,
    servername: target['tls-server-name'],
    ...(credential && 'clientCertificateData' in credential
      ? { cert: credential.clientCertificateData, key: credential.clientKeyData }
      : {}),
  };
  const dispatcher = target['proxy-url']
    ? new undici.ProxyAgent({ uri: target['proxy-url'], requestTls: tls })
    : new undici.Agent({ connect: tls });
  const url = target.server.replace(/\/+$/, '') + path;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (credential && 'token' in credential) headers.authorization = `Bearer ${credential.token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  try {
    const res = await undici.fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      dispatcher,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const date = res.headers.get('date');
    return { status: res.status, date: date ? new Date(date) : undefined, body: parsed, text };
  } catch (err) {
    throw new KubecredError(describeNetworkError(url, err, timeoutMs, 'certificate-authority in the kubeconfig cluster'));
  } finally {
    await dispatcher.close().catch(() => undefined);
  }
}
