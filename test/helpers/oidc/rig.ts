// A test rig for the OIDC provider: the IdP fixture, an API server trusting it, an isolated HOME
// (HOME, KUBECACHEDIR, KUBECONFIG in a temp dir) and helpers to run kubectl and kubecred there.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startIdp, type IdpHandle, type IdpOptions } from '../../fixtures/idp.js';
import { startApiServer, type ApiServerHandle, type OidcAuthOptions } from '../../fixtures/apiserver.js';
import { runKubectl, writeKubeconfig, type KubectlResult } from '../../fixtures/kubectl.js';
import { writePems } from '../../fixtures/certs.js';
import type { ReviewOptions } from '../../fixtures/apiserver-reviews.js';
import { isolatedHome, kubecredBin, runKubecred, type RunResult } from '../cli.js';
import { expireCacheEntries } from '../expire-cache.js';

const tsxLoader = import.meta.resolve('tsx');
const browserHttp = resolve(import.meta.dirname, 'browser-http.ts');
export const SECRET_VALUE = 'the-db-password';

export interface OidcRig {
  idp: IdpHandle;
  api: ApiServerHandle;
  /** The API server's static tokens (read per request): add opaque access tokens here. */
  staticTokens: Record<string, { user: string; groups?: string[] }>;
  home: string;
  /** HOME, KUBECACHEDIR, KUBECONFIG, PATH: pass to every child. */
  env: Record<string, string>;
  cacheDir: string;
  kubeconfig: string;
  browserLog: string;
  /** The IdP CA as a file (https IdPs only). */
  idpCaFile?: string;
  /** A --browser-command running the HTTP-client browser in the given mode. */
  browserCommand(mode?: string, extra?: string): string;
  /** get-token oidc args for the public client, listening on a free port. */
  getTokenArgs(extra?: string[]): string[];
  /** Writes the kubeconfig (context `test`) whose user runs `kubecred get-token oidc <args>`. */
  useArgs(args: string[], env?: Record<string, string>): Promise<void>;
  kubectl(args: string[], env?: Record<string, string | undefined>): Promise<KubectlResult>;
  /** kubectl get secret db -o jsonpath={.data.password}, decoded. */
  readSecret(env?: Record<string, string | undefined>): Promise<KubectlResult & { value?: string }>;
  kubecred(args: string[], options?: { env?: Record<string, string | undefined>; input?: string }): Promise<RunResult>;
  browserCalls(): number;
  /** Marks every cached token expired (the refresh token and meta stay). */
  expireCachedTokens(): void;
  /** The cache dir's token entries, for "cache untouched" checks. */
  cacheSnapshot(): string;
  close(): Promise<void>;
}

export interface RigOptions {
  idp?: IdpOptions;
  apiserver?: Partial<OidcAuthOptions>;
  /** RBAC and self reviews of the API server (test/fixtures/apiserver-reviews.ts). */
  reviews?: ReviewOptions;
}

export async function startOidcRig(options: RigOptions = {}): Promise<OidcRig> {
  const idp = await startIdp(options.idp);
  const staticTokens: OidcRig['staticTokens'] = {};
  const api = await startApiServer({
    staticTokens,
    reviews: options.reviews,
    oidc: {
      issuerUrl: idp.issuer,
      clientId: idp.publicClientId,
      usernameClaim: 'sub',
      groupsClaim: 'groups',
      ca: idp.caPem,
      ...options.apiserver,
    },
  });
  api.putSecret('default', 'db', { password: SECRET_VALUE });
  const { home, env } = isolatedHome('kubecred-oidc-');
  const cacheDir = join(env.KUBECACHEDIR!, 'kubecred');
  const kubeconfig = env.KUBECONFIG!;
  const browserLog = join(home, 'browser.log');
  const idpCaFile = idp.caPem ? (await writePems(home, { 'idp-ca.crt': idp.caPem }))['idp-ca.crt'] : undefined;

  const rig: OidcRig = {
    idp,
    api,
    staticTokens,
    home,
    env,
    cacheDir,
    kubeconfig,
    browserLog,
    idpCaFile,
    browserCommand(mode = 'login', extra = '') {
      const ca = idpCaFile ? ` --ca ${idpCaFile}` : '';
      return `${process.execPath} --import ${tsxLoader} ${browserHttp} --log ${browserLog} --mode ${mode}${ca}${extra ? ` ${extra}` : ''}`;
    },
    getTokenArgs(extra = []) {
      return [
        '--issuer-url',
        idp.issuer,
        '--client-id',
        idp.publicClientId,
        '--listen-address',
        '127.0.0.1:0',
        ...(idpCaFile ? ['--oidc-ca-file', idpCaFile] : []),
        ...extra,
      ];
    },
    async useArgs(args, execEnv) {
      await writeKubeconfig(kubeconfig, {
        server: api.url,
        caPem: api.caPem,
        user: { exec: { command: kubecredBin, args: ['get-token', 'oidc', ...args], env: execEnv } },
      });
    },
    kubectl(args, extraEnv = {}) {
      return runKubectl(args, {
        kubeconfig,
        env: { ...env, DISPLAY: undefined, WAYLAND_DISPLAY: undefined, BROWSER: undefined, ...extraEnv },
        timeoutMs: 60_000,
      });
    },
    async readSecret(extraEnv) {
      const r = await rig.kubectl(['get', 'secret', 'db', '-n', 'default', '-o', 'jsonpath={.data.password}'], extraEnv);
      return { ...r, value: r.code === 0 ? Buffer.from(r.stdout, 'base64').toString('utf8') : undefined };
    },
    kubecred(args, opts = {}) {
      return runKubecred(args, { env: { ...env, ...opts.env }, input: opts.input, timeoutMs: 60_000 });
    },
    browserCalls() {
      if (!existsSync(browserLog)) return 0;
      return readFileSync(browserLog, 'utf8')
        .split('\n')
        .filter((l) => l.includes('"url"')).length;
    },
    expireCachedTokens() {
      expireCacheEntries(cacheDir);
    },
    cacheSnapshot() {
      if (!existsSync(cacheDir)) return '';
      return readdirSync(cacheDir)
        .filter((n) => n.endsWith('.json'))
        .sort()
        .map((n) => `${n}:${readFileSync(join(cacheDir, n), 'utf8')}`)
        .join('\n');
    },
    async close() {
      await Promise.all([idp.close(), api.close()]);
    },
  };
  return rig;
}

/** Fails the test when any token-shaped secret of the IdP shows up in text (stderr captures). */
export function assertNoSecrets(text: string, secrets: Array<string | undefined>): void {
  for (const s of secrets) {
    if (s && s.length >= 8 && text.includes(s)) throw new Error(`a secret leaked into the output: ${s.slice(0, 6)}…`);
  }
  if (/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./.test(text)) throw new Error('a JWT leaked into the output');
}

/** The ID token (or access token) kubecred cached, and the refresh token it stored on disk. */
export function cachedSecrets(rig: OidcRig): string[] {
  const out: string[] = [];
  if (!existsSync(rig.cacheDir)) return out;
  for (const f of readdirSync(rig.cacheDir).filter((n) => n.endsWith('.json'))) {
    const e = JSON.parse(readFileSync(join(rig.cacheDir, f), 'utf8')) as { credential?: { token?: string } };
    if (e.credential?.token) out.push(e.credential.token);
  }
  const secrets = join(rig.cacheDir, 'secrets');
  if (existsSync(secrets))
    for (const f of readdirSync(secrets).filter((n) => !n.startsWith('.'))) out.push(readFileSync(join(secrets, f), 'utf8'));
  return out;
}
