// The cluster stanza and entry names every provider's `setup-context` shares, validated before
// anything is written.
//
// Default names: cluster = the context name; user = `<context>-<provider>` (e.g. `prod-oidc`), so a
// user that kubelogin or client-keystone-auth set up under another name (Mia-Platform's
// `login-<cluster>`) is left alone; pass --user-name login-<cluster> --force to take it over.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UsageError } from '../shared/errors.js';
import type { ClusterEntry } from '../kubeconfig/index.js';

export interface ClusterOptions {
  context: string;
  server?: string;
  certificateAuthority?: string;
  certificateAuthorityData?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
  clusterName?: string;
  userName?: string;
}

function toPem(der: Buffer | string): string {
  return new X509Certificate(der).toString().trim();
}

/**
 * Validates CA material (the text of a file, or base64-decoded data): every CERTIFICATE block must
 * parse, at least one must be there, and a private key is refused. Returns the certificates as PEM.
 */
export function checkCaPem(text: string, what: string, warnings: string[]): string {
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)];
  if (blocks.some((b) => b[1]!.includes('PRIVATE KEY')))
    throw new UsageError(`${what} contains a private key: give only the CA certificate`);
  const certs = blocks.filter((b) => b[1] === 'CERTIFICATE' || b[1] === 'TRUSTED CERTIFICATE');
  if (certs.length === 0) throw new UsageError(`${what} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  const pems = certs.map((b, i) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(b[0]);
    } catch (err) {
      throw new UsageError(`${what}: certificate ${i + 1} does not parse (${(err as Error).message})`);
    }
    if (new Date(cert.validTo).getTime() < Date.now())
      warnings.push(`warning: ${what}: certificate "${cert.subject.replace(/\n/g, ', ')}" expired on ${cert.validTo}`);
    return cert.toString().trim();
  });
  return `${pems.join('\n')}\n`;
}

function readCaFile(file: string, warnings: string[]): string {
  let raw: Buffer;
  try {
    raw = readFileSync(file);
  } catch (err) {
    throw new UsageError(`--certificate-authority ${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  const text = raw.toString('utf8');
  if (!text.includes('-----BEGIN')) {
    try {
      const pem = toPem(raw); // DER: convert, as kubectl only reads PEM
      warnings.push(`note: --certificate-authority ${file} is DER; embedding it as PEM`);
      return checkCaPem(pem, `--certificate-authority ${file}`, warnings);
    } catch {
      // not DER either: fall through for the PEM error
    }
  }
  return checkCaPem(text, `--certificate-authority ${file}`, warnings);
}

function parseUrl(flag: string, text: string, schemes: readonly string[]): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--${flag} ${JSON.stringify(text)} is not a URL (e.g. ${schemes[0]}://host:port)`);
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!schemes.includes(scheme)) throw new UsageError(`--${flag} must be a ${schemes.join(', ')} URL, not ${scheme}://`);
  if (url.hostname === '') throw new UsageError(`--${flag} ${JSON.stringify(text)} has no host`);
  if (url.password !== '') throw new UsageError(`--${flag} contains a password: kubecred never writes secrets into a kubeconfig`);
  return url;
}

/**
 * The validated `cluster` stanza, plus warnings for stderr (http server, expired CA, …). `known` is
 * what the provider found out (a tenant's server and CA from its Secret); command-line options win.
 */
export function clusterEntryFromOptions(
  opts: ClusterOptions,
  known: Partial<ClusterEntry> = {},
): { cluster: ClusterEntry; warnings: string[] } {
  const warnings: string[] = [];
  const ca = [
    opts.certificateAuthority && '--certificate-authority',
    opts.certificateAuthorityData && '--certificate-authority-data',
    opts.insecureSkipTlsVerify && '--insecure-skip-tls-verify',
  ].filter(Boolean);
  if (ca.length > 1) throw new UsageError(`${ca.join(' and ')} cannot be combined: give one of them`);
  const serverText = opts.server?.trim() || known.server;
  if (!serverText) throw new UsageError('--server is required (the API server URL, https://host:6443)');
  const server = parseUrl('server', serverText, ['https', 'http']);
  if (server.username !== '') throw new UsageError('--server must not contain a user name');
  if (server.protocol === 'http:')
    warnings.push(`warning: --server ${serverText} is plain http: tokens will cross the network unencrypted`);
  const cluster: ClusterEntry = { server: serverText };
  if (opts.certificateAuthority) {
    cluster['certificate-authority-data'] = Buffer.from(readCaFile(opts.certificateAuthority, warnings), 'utf8').toString('base64');
  } else if (opts.certificateAuthorityData) {
    cluster['certificate-authority-data'] = checkCaData(opts.certificateAuthorityData, '--certificate-authority-data', warnings);
  } else if (opts.insecureSkipTlsVerify) {
    cluster['insecure-skip-tls-verify'] = true;
    warnings.push(
      'warning: --insecure-skip-tls-verify: the API server certificate is not verified, anyone in between can read your tokens',
    );
  } else if (known['certificate-authority-data']) {
    cluster['certificate-authority-data'] = checkCaData(
      known['certificate-authority-data'],
      'the certificate-authority-data the provider found',
      warnings,
    );
  }
  if (opts.tlsServerName !== undefined) {
    if (!/^[A-Za-z0-9*]([A-Za-z0-9.*-]*[A-Za-z0-9])?$/.test(opts.tlsServerName))
      throw new UsageError(`--tls-server-name ${JSON.stringify(opts.tlsServerName)} is not a host name`);
    cluster['tls-server-name'] = opts.tlsServerName;
  }
  if (opts.proxyUrl !== undefined) {
    parseUrl('proxy-url', opts.proxyUrl.trim(), ['http', 'https', 'socks5']);
    cluster['proxy-url'] = opts.proxyUrl.trim();
  }
  return { cluster, warnings };
}

function checkCaData(data: string, what: string, warnings: string[]): string {
  const b64 = data.replace(/\s+/g, '');
  const bytes = Buffer.from(b64, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || bytes.toString('base64').replace(/=+$/, '') !== b64.replace(/=+$/, '')) {
    throw new UsageError(`${what} is not base64 (of a PEM CA certificate)`);
  }
  checkCaPem(bytes.toString('utf8'), what, warnings);
  return b64;
}

/** Names of the three entries (see the defaults at the top of this file). */
export function setupNames(
  opts: Pick<ClusterOptions, 'context' | 'clusterName' | 'userName'>,
  provider: string,
): { contextName: string; clusterName: string; userName: string } {
  return {
    contextName: opts.context,
    clusterName: opts.clusterName ?? opts.context,
    userName: opts.userName ?? `${opts.context}-${provider}`,
  };
}

export function checkNamespace(ns: string | undefined): string | undefined {
  if (ns === undefined) return undefined;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) || ns.length > 63)
    throw new UsageError(`--namespace ${JSON.stringify(ns)} is not a valid namespace name (lowercase letters, digits and -)`);
  return ns;
}
