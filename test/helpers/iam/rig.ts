// A test rig for the IAM provider: the IAM-like IdP, an API server that trusts its access tokens
// for AUDIENCE (--oidc-issuer-url with the trailing slash, --oidc-client-id = the audience), an
// isolated HOME, and helpers to run kubecred and the real kubectl there. Device logins are
// completed by the HTTP-client "browser" (test/helpers/oidc/browser-http.ts) that kubecred opens
// with --browser-command: it logs in as alice and confirms the user code.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startIamIdp, type IamIdpHandle, type IamIdpOptions } from '../../fixtures/idp-iam.js';
import { startApiServer, type ApiServerHandle } from '../../fixtures/apiserver.js';
import { runKubectl, type KubectlResult } from '../../fixtures/kubectl.js';
import { writePems } from '../../fixtures/certs.js';
import { isolatedHome, runKubecred, type RunResult } from '../cli.js';
import { expireCacheEntries } from '../expire-cache.js';

const tsxLoader = import.meta.resolve('tsx');
const browserHttp = resolve(import.meta.dirname, '..', 'oidc', 'browser-http.ts');
export const AUDIENCE = 'cloudveneto-k8s';
export const SECRET_VALUE = 'the-iam-db-password';

export interface IamRig {
  idp: IamIdpHandle;
  api: ApiServerHandle;
  home: string;
  env: Record<string, string>;
  cacheDir: string;
  kubeconfig: string;
  apiCaFile: string;
  browserLog: string;
  browserCommand(mode?: string): string;
  /** `setup-context iam --context NAME --server … --certificate-authority … --issuer-url … --browser-command …` + extra. */
  setup(context: string, extra?: string[], options?: { env?: Record<string, string>; input?: string }): Promise<RunResult>;
  kubecred(args: string[], options?: { env?: Record<string, string>; input?: string }): Promise<RunResult>;
  kubectl(args: string[], env?: Record<string, string | undefined>): Promise<KubectlResult>;
  readSecret(context?: string, env?: Record<string, string | undefined>): Promise<KubectlResult & { value?: string }>;
  browserCalls(): number;
  expireCachedTokens(): void;
  close(): Promise<void>;
}

export async function startIamRig(options: { idp?: IamIdpOptions } = {}): Promise<IamRig> {
  const idp = await startIamIdp(options.idp);
  const api = await startApiServer({ oidc: { issuerUrl: idp.issuer, clientId: AUDIENCE, usernameClaim: 'sub', groupsClaim: 'groups' } });
  api.putSecret('default', 'db', { password: SECRET_VALUE });
  const { home, env } = isolatedHome('kubecred-iam-');
  const cacheDir = join(env.KUBECACHEDIR!, 'kubecred');
  const browserLog = join(home, 'browser.log');
  const { 'api-ca.crt': apiCaFile } = await writePems(home, { 'api-ca.crt': api.caPem });
  const rig: IamRig = {
    idp,
    api,
    home,
    env,
    cacheDir,
    kubeconfig: env.KUBECONFIG!,
    apiCaFile: apiCaFile!,
    browserLog,
    browserCommand(mode = 'device') {
      return `${process.execPath} --import ${tsxLoader} ${browserHttp} --log ${browserLog} --mode ${mode}`;
    },
    setup(context, extra = [], opts = {}) {
      return rig.kubecred(
        [
          'setup-context',
          'iam',
          '--context',
          context,
          '--server',
          api.url,
          '--certificate-authority',
          apiCaFile!,
          '--issuer-url',
          idp.issuer,
          '--browser-command',
          rig.browserCommand(),
          ...extra,
        ],
        opts,
      );
    },
    kubecred(args, opts = {}) {
      return runKubecred(args, { env: { ...env, ...opts.env }, input: opts.input, timeoutMs: 90_000 });
    },
    kubectl(args, extraEnv = {}) {
      return runKubectl(args, {
        kubeconfig: rig.kubeconfig,
        env: { ...env, DISPLAY: undefined, WAYLAND_DISPLAY: undefined, BROWSER: undefined, ...extraEnv },
        timeoutMs: 90_000,
      });
    },
    async readSecret(context, extraEnv) {
      const r = await rig.kubectl(
        [...(context ? ['--context', context] : []), 'get', 'secret', 'db', '-n', 'default', '-o', 'jsonpath={.data.password}'],
        extraEnv,
      );
      return { ...r, value: r.code === 0 ? Buffer.from(r.stdout, 'base64').toString('utf8') : undefined };
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
    async close() {
      await Promise.all([idp.close(), api.close()]);
    },
  };
  return rig;
}

/** Fails when one of the IdP's secrets, or any JWT, shows up in text. */
/** setup-context iam flags for the browser login (no 5 s device-flow wait), completed by the HTTP "browser". */
export function authcodeSetupArgs(rig: IamRig): string[] {
  return [
    '--audience',
    AUDIENCE,
    '--grant-type',
    'authcode',
    '--listen-address',
    '127.0.0.1:0',
    '--browser-command',
    rig.browserCommand('login'),
  ];
}

export function assertNoSecretsIn(text: string, secrets: readonly string[], what: string): void {
  for (const s of secrets) if (s.length >= 8 && text.includes(s)) throw new Error(`a secret (${s.slice(0, 4)}…) leaked into ${what}`);
  if (/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\./.test(text)) throw new Error(`a JWT leaked into ${what}`);
}
