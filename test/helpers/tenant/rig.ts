// Two API server fixtures: a Cozystack management cluster holding tenant Secrets (with an allow list:
// `alice` may read secrets in tenant-acme only, `mallory` nowhere) and a tenant cluster with its own
// CAs, authenticating client certificates. An isolated HOME whose kubeconfig has context `mgmt`
// (alice's client certificate) and `mgmt-mallory`.
import { join } from 'node:path';
import { startApiServer, type ApiServerHandle, type ApiServerOptions } from '../../fixtures/apiserver.js';
import { putAdminSecret, type AdminSecretOptions } from '../../fixtures/cozystack.js';
import { runKubectl, type KubectlResult } from '../../fixtures/kubectl.js';
import { isolatedHome, runKubecred, type RunResult } from '../cli.js';
import { writeFileSync } from 'node:fs';
import { stringify } from 'yaml';

export const TENANT = 'acme';
export const CLUSTER = 'dev';

export interface TenantRig {
  management: ApiServerHandle;
  tenantApi: ApiServerHandle;
  home: string;
  env: Record<string, string>;
  kubeconfig: string;
  cacheDir: string;
  /** (Re)issues kubernetes-dev-admin-kubeconfig in tenant-acme from the tenant cluster's client CA. */
  putSecret(opts?: AdminSecretOptions & { tenant?: string; cluster?: string }): Promise<Record<string, string>>;
  kubecred(args: string[], options?: { env?: Record<string, string | undefined>; input?: string }): Promise<RunResult>;
  kubectl(args: string[], env?: Record<string, string | undefined>): Promise<KubectlResult>;
  close(): Promise<void>;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');

export interface TenantRigOptions {
  /** Bearer tokens the management cluster accepts (token → identity), as --token-auth-file. */
  staticTokens?: ApiServerOptions['staticTokens'];
}

export async function startTenantRig(options: TenantRigOptions = {}): Promise<TenantRig> {
  const management = await startApiServer({
    secretAccess: { users: { alice: ['tenant-acme'] } },
    ...(options.staticTokens ? { staticTokens: options.staticTokens } : {}),
  });
  const tenantApi = await startApiServer();
  const { home, env } = isolatedHome('kubecred-tenant-');
  const kubeconfig = env.KUBECONFIG!;
  const alice = await management.issueClientCert('alice', ['cozy-users']);
  const mallory = await management.issueClientCert('mallory', []);
  const cluster = { server: management.url, 'certificate-authority-data': b64(management.caPem) };
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'cozy', cluster }],
      users: [
        { name: 'alice', user: { 'client-certificate-data': b64(alice.cert), 'client-key-data': b64(alice.key) } },
        { name: 'mallory', user: { 'client-certificate-data': b64(mallory.cert), 'client-key-data': b64(mallory.key) } },
      ],
      contexts: [
        { name: 'mgmt', context: { cluster: 'cozy', user: 'alice' } },
        { name: 'mgmt-mallory', context: { cluster: 'cozy', user: 'mallory' } },
      ],
      'current-context': 'mgmt',
    }),
    { mode: 0o600 },
  );
  const rig: TenantRig = {
    management,
    tenantApi,
    home,
    env,
    kubeconfig,
    cacheDir: join(env.KUBECACHEDIR!, 'kubecred'),
    putSecret: (opts = {}) => putAdminSecret(management, tenantApi, opts.tenant ?? TENANT, opts.cluster ?? CLUSTER, opts),
    kubecred: (args, opts = {}) => runKubecred(args, { env: { ...env, ...opts.env }, input: opts.input, timeoutMs: 60_000 }),
    kubectl: (args, extra = {}) => runKubectl(args, { kubeconfig, env: { ...env, ...extra }, timeoutMs: 60_000 }),
    close: async () => {
      await Promise.all([management.close(), tenantApi.close()]);
    },
  };
  await rig.putSecret();
  return rig;
}
