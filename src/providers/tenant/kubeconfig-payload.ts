// What a Cozystack Secret must hold before anything is written or cached: a Secret with base64 data,
// and under the key one kubeconfig with exactly one cluster, user and context, whose user is a client
// certificate that parses, matches its key and has not expired (or a bearer token). zod checks the
// shapes; node:crypto checks the certificate. Every failure is one line naming the Secret and key.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { parse as parseYaml } from 'yaml';
import * as z from 'zod/mini';
import { KubecredError } from '../../shared/errors.js';

export const secretSchema = z.object({
  metadata: z.object({ name: z.string(), namespace: z.optional(z.string()) }),
  data: z.optional(z.nullable(z.record(z.string(), z.string()))),
});
export type SecretObject = z.infer<typeof secretSchema>;

const entryName = z.string().check(z.minLength(1));
const kubeconfigSchema = z.object({
  clusters: z.array(
    z.object({
      name: entryName,
      cluster: z.looseObject({ server: z.string().check(z.minLength(1)), 'certificate-authority-data': z.optional(z.string()) }),
    }),
  ),
  users: z.array(
    z.object({
      name: entryName,
      user: z.looseObject({
        'client-certificate-data': z.optional(z.string()),
        'client-key-data': z.optional(z.string()),
        token: z.optional(z.string()),
        exec: z.optional(z.looseObject({ command: z.string(), args: z.optional(z.nullable(z.array(z.string()))) })),
      }),
    }),
  ),
  contexts: z.array(
    z.object({
      name: entryName,
      context: z.looseObject({ cluster: z.string(), user: z.string(), namespace: z.optional(z.string()) }),
    }),
  ),
});
export type KubeconfigShape = z.infer<typeof kubeconfigSchema>;

export interface CertificateInfo {
  commonName: string;
  organizations: string[];
  notAfter: Date;
  /** SHA-256 fingerprint, for "was it re-issued?". */
  fingerprint: string;
}

export interface TenantKubeconfig {
  /** The YAML as it was in the Secret. */
  text: string;
  doc: KubeconfigShape;
  server: string;
  /** base64 PEM of the cluster CA, when the kubeconfig has one. */
  caData?: string;
  /** PEM material for an ExecCredential, when the user is a client certificate. */
  material?: { clientCertificateData: string; clientKeyData: string } | { token: string };
  certificate?: CertificateInfo;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes one key of a Secret (base64, as the API serves it). */
export function secretValue(secret: SecretObject, key: string, where: string): string {
  const raw = secret.data?.[key];
  if (raw === undefined) {
    const keys = Object.keys(secret.data ?? {}).sort();
    throw new KubecredError(
      `${where} has no key ${key} (it has ${keys.length ? keys.join(', ') : 'no keys'}): pick another --variant, or ask the platform admin why Kamaji did not write it`,
    );
  }
  const compact = raw.replace(/\s+/g, '');
  if (compact.length % 4 !== 0 || !BASE64.test(compact))
    throw new KubecredError(`${where} key ${key} is not base64: the management cluster sent something that is not a Secret value`);
  return Buffer.from(compact, 'base64').toString('utf8');
}

function decodePem(b64: string, what: string, where: string): string {
  const compact = b64.replace(/\s+/g, '');
  const text = BASE64.test(compact) ? Buffer.from(compact, 'base64').toString('utf8') : '';
  if (!text.includes('-----BEGIN')) throw new KubecredError(`${where}: ${what} is not base64 PEM`);
  return text;
}

/** CN and O of an X509Certificate subject ("O=a\nO=b\nCN=c", as node prints it). */
export function subjectFields(subject: string): { commonName: string; organizations: string[] } {
  const lines = subject.split('\n');
  const values = (k: string) => lines.filter((l) => l.startsWith(`${k}=`)).map((l) => l.slice(k.length + 1));
  return { commonName: values('CN')[0] ?? '', organizations: values('O') };
}

export function certificateInfo(certPem: string, keyPem: string, where: string): CertificateInfo {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certPem);
  } catch {
    throw new KubecredError(`${where}: client-certificate-data is not an X.509 certificate`);
  }
  let matches = false;
  try {
    matches = cert.checkPrivateKey(createPrivateKey(keyPem));
  } catch {
    throw new KubecredError(`${where}: client-key-data is not a private key`);
  }
  if (!matches) throw new KubecredError(`${where}: the client key does not belong to the client certificate`);
  return { ...subjectFields(cert.subject), notAfter: new Date(cert.validTo), fingerprint: cert.fingerprint256 };
}

function one<T>(list: T[], what: string, where: string): T {
  if (list.length !== 1) throw new KubecredError(`${where}: expected one ${what}, found ${list.length}`);
  return list[0]!;
}

/** Parses and checks the kubeconfig YAML of one Secret key. `nowMs` rejects expired certificates. */
export function parseTenantKubeconfig(text: string, where: string, nowMs: number, options: { allowExec?: boolean } = {}): TenantKubeconfig {
  let yaml: unknown;
  try {
    yaml = parseYaml(text);
  } catch {
    throw new KubecredError(`${where} is not YAML`);
  }
  const parsed = kubeconfigSchema.safeParse(yaml);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new KubecredError(`${where} is not a kubeconfig (${issue?.path.join('.') || 'top level'}: ${issue?.message ?? 'invalid'})`);
  }
  const doc = parsed.data;
  const cluster = one(doc.clusters, 'cluster', where).cluster;
  const user = one(doc.users, 'user', where).user;
  one(doc.contexts, 'context', where);
  const out: TenantKubeconfig = { text, doc, server: cluster.server, caData: cluster['certificate-authority-data'] };
  if (user['client-certificate-data'] && user['client-key-data']) {
    const cert = decodePem(user['client-certificate-data'], 'client-certificate-data', where);
    const key = decodePem(user['client-key-data'], 'client-key-data', where);
    out.certificate = certificateInfo(cert, key, where);
    if (out.certificate.notAfter.getTime() <= nowMs) {
      throw new KubecredError(
        `${where}: the client certificate expired at ${out.certificate.notAfter.toISOString()} and Kamaji has not re-issued it: ask the platform admin to check the tenant control plane`,
      );
    }
    out.material = { clientCertificateData: cert, clientKeyData: key };
  } else if (user.token) {
    out.material = { token: user.token };
  } else if (!(options.allowExec && user.exec)) {
    throw new KubecredError(`${where}: the user has neither a client certificate and key nor a token`);
  }
  return out;
}
