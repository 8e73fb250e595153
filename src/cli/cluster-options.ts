// Options every provider's `setup-context` shares (cluster, names, kubeconfig), their validation,
// and the glue from parsed options to the setupContext use case.
//
// Default names: cluster = the context name; user = `<context>-<provider>` (e.g. `prod-oidc`), so a
// user that kubelogin or client-keystone-auth set up under another name (Mia-Platform's
// `login-<cluster>`) is left alone; pass --user-name login-<cluster> --force to take it over.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { UsageError } from '../exec/flags.js';
import type { ClusterEntry, Env, ExecEnvVar } from '../kubeconfig/index.js';
import { parseExecApiVersion, resolveExecCommand } from '../usecases/exec-command.js';
import { chooseExecApiVersion, kubectlMinorVersion } from '../usecases/kubectl-version.js';
import { setupContext, summaryLines, type SetupContextSummary } from '../usecases/setup-context.js';

export interface CommonSetupOptions {
  context: string;
  server: string;
  certificateAuthority?: string;
  certificateAuthorityData?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  proxyUrl?: string;
  namespace?: string;
  kubeconfig?: string;
  use?: boolean;
  force?: boolean;
  execCommand?: string;
  execApiVersion?: string;
  clusterName?: string;
  userName?: string;
}

export function addCommonSetupOptions(cmd: Command): Command {
  return cmd
    .requiredOption('--context <name>', 'kubeconfig context to create or update')
    .requiredOption('--server <url>', 'Kubernetes API server URL (https://…)')
    .option('--certificate-authority <file>', 'PEM file of the CA that signed the API server certificate (embedded)')
    .option('--certificate-authority-data <base64>', 'base64 of that PEM, as in another kubeconfig')
    .option('--insecure-skip-tls-verify', 'do not verify the API server certificate (unsafe)')
    .option('--tls-server-name <name>', 'server name to verify the API server certificate against')
    .option('--proxy-url <url>', 'http://, https:// or socks5:// proxy to reach a private cluster')
    .option('--namespace <ns>', 'default namespace of the context')
    .option('--kubeconfig <file>', 'kubeconfig file to write (default: first of KUBECONFIG, else ~/.kube/config)')
    .option('--use', 'also make it the current context')
    .option('--force', 'replace existing entries of the same name that have other settings')
    .option('--exec-command <cmd>', 'command kubectl runs (default: kubecred if on PATH, else its absolute path)')
    .addOption(new Option('--exec-api-version <v>', 'exec API version (default: v1, or v1beta1 when the kubectl on PATH is older than 1.22)').choices(['v1', 'v1beta1']))
    .option('--cluster-name <name>', 'cluster entry name (default: the context name)')
    .option('--user-name <name>', 'user entry name (default: <context>-<provider>)');
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
  if (blocks.some((b) => b[1]!.includes('PRIVATE KEY'))) throw new UsageError(`${what} contains a private key: give only the CA certificate`);
  const certs = blocks.filter((b) => b[1] === 'CERTIFICATE' || b[1] === 'TRUSTED CERTIFICATE');
  if (certs.length === 0) throw new UsageError(`${what} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`);
  const pems = certs.map((b, i) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(b[0]);
    } catch (err) {
      throw new UsageError(`${what}: certificate ${i + 1} does not parse (${(err as Error).message})`);
    }
    if (new Date(cert.validTo).getTime() < Date.now()) warnings.push(`warning: ${what}: certificate "${cert.subject.replace(/\n/g, ', ')}" expired on ${cert.validTo}`);
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

/** The validated `cluster` stanza, plus warnings for stderr (http server, expired CA, …). */
export function clusterEntryFromOptions(opts: CommonSetupOptions): { cluster: ClusterEntry; warnings: string[] } {
  const warnings: string[] = [];
  const ca = [opts.certificateAuthority && '--certificate-authority', opts.certificateAuthorityData && '--certificate-authority-data', opts.insecureSkipTlsVerify && '--insecure-skip-tls-verify'].filter(Boolean);
  if (ca.length > 1) throw new UsageError(`${ca.join(' and ')} cannot be combined: give one of them`);
  if (!opts.server) throw new UsageError('--server is required (the API server URL, https://host:6443)');
  const server = parseUrl('server', opts.server.trim(), ['https', 'http']);
  if (server.username !== '') throw new UsageError('--server must not contain a user name');
  if (server.protocol === 'http:') warnings.push(`warning: --server ${opts.server} is plain http: tokens will cross the network unencrypted`);
  const cluster: ClusterEntry = { server: opts.server.trim() };
  if (opts.certificateAuthority) {
    cluster['certificate-authority-data'] = Buffer.from(readCaFile(opts.certificateAuthority, warnings), 'utf8').toString('base64');
  } else if (opts.certificateAuthorityData) {
    const b64 = opts.certificateAuthorityData.replace(/\s+/g, '');
    const bytes = Buffer.from(b64, 'base64');
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b64) || bytes.toString('base64').replace(/=+$/, '') !== b64.replace(/=+$/, '')) {
      throw new UsageError('--certificate-authority-data is not base64 (of a PEM CA certificate)');
    }
    checkCaPem(bytes.toString('utf8'), '--certificate-authority-data', warnings);
    cluster['certificate-authority-data'] = b64;
  } else if (opts.insecureSkipTlsVerify) {
    cluster['insecure-skip-tls-verify'] = true;
    warnings.push('warning: --insecure-skip-tls-verify: the API server certificate is not verified, anyone in between can read your tokens');
  }
  if (opts.tlsServerName !== undefined) {
    if (!/^[A-Za-z0-9*]([A-Za-z0-9.*-]*[A-Za-z0-9])?$/.test(opts.tlsServerName)) throw new UsageError(`--tls-server-name ${JSON.stringify(opts.tlsServerName)} is not a host name`);
    cluster['tls-server-name'] = opts.tlsServerName;
  }
  if (opts.proxyUrl !== undefined) {
    parseUrl('proxy-url', opts.proxyUrl.trim(), ['http', 'https', 'socks5']);
    cluster['proxy-url'] = opts.proxyUrl.trim();
  }
  return { cluster, warnings };
}

/** Names of the three entries (see the defaults at the top of this file). */
export function setupNames(opts: Pick<CommonSetupOptions, 'context' | 'clusterName' | 'userName'>, provider: string): { contextName: string; clusterName: string; userName: string } {
  return { contextName: opts.context, clusterName: opts.clusterName ?? opts.context, userName: opts.userName ?? `${opts.context}-${provider}` };
}

export function checkNamespace(ns: string | undefined): string | undefined {
  if (ns === undefined) return undefined;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) || ns.length > 63) throw new UsageError(`--namespace ${JSON.stringify(ns)} is not a valid namespace name (lowercase letters, digits and -)`);
  return ns;
}

export interface ProviderExec {
  /** Provider name for the default user name (`oidc`, `keystone`, …). */
  provider: string;
  /** Arguments after the command: `get-token <provider> --issuer-url=… …` (never a secret). */
  args: string[];
  env?: ExecEnvVar[];
  installHint?: string;
  provideClusterInfo?: boolean;
}

export interface SetupIo {
  env: Env;
  /** realpath of process.argv[1]. */
  launcherPath: string;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

/** A provider's setup-context action: validate options, pick the exec command, write, print. */
export async function runSetupContext(opts: CommonSetupOptions, exec: ProviderExec, io: SetupIo): Promise<SetupContextSummary> {
  const { cluster, warnings } = clusterEntryFromOptions(opts);
  const namespace = checkNamespace(opts.namespace);
  const command = resolveExecCommand({ explicit: opts.execCommand, env: io.env, launcherPath: io.launcherPath });
  const api = opts.execApiVersion ? { apiVersion: parseExecApiVersion(opts.execApiVersion) } : chooseExecApiVersion(kubectlMinorVersion(io.env));
  for (const w of warnings) io.stderr(w);
  io.stderr(command.reason);
  if (api.reason) io.stderr(api.reason);
  const summary = await setupContext({
    kubeconfig: opts.kubeconfig,
    env: io.env,
    ...setupNames(opts, exec.provider),
    cluster,
    exec: {
      command: command.command,
      args: exec.args,
      env: exec.env,
      apiVersion: api.apiVersion,
      installHint: exec.installHint ?? 'kubecred gets the credentials for this cluster: install it (npm install -g kubecred) and put it on PATH',
      provideClusterInfo: exec.provideClusterInfo,
    },
    namespace,
    use: opts.use === true,
    force: opts.force === true,
    lock: { onLockWait: (lock) => io.stderr(`waiting for ${lock} (another kubectl or kubecred is writing the kubeconfig)…`) },
  });
  for (const line of summaryLines(summary)) io.stdout(line);
  return summary;
}
