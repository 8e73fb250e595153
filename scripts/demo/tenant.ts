// Cozystack tenant clusters: a management API server holding Kamaji's
// `kubernetes-<cluster>-admin-kubeconfig` Secret in namespace `tenant-<name>` (readable by alice
// only), and the tenant API server trusting the client certificate in it. First the one-off way
// (fetch-kubeconfig --merge: the admin certificate lands in the kubeconfig), then the kubecred way
// (setup-context tenant: the kubeconfig holds no credential; get-token reads the Secret when the
// cached certificate runs out).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startApiServer } from '../../test/fixtures/apiserver.js';
import { adminSecretName, putAdminSecret, tenantNamespace } from '../../test/fixtures/cozystack.js';
import type { DemoSession, DemoStep } from './session.js';
import { commandExists } from './commands.js';

const TENANT = 'demo';
const CLUSTER = 'dev';

export const tenantStep: DemoStep = {
  name: 'tenant',
  title: 'Cozystack tenant cluster: the admin kubeconfig from a Secret of the management cluster',
  inDefault: false,
  async unavailable() {
    if (!(await commandExists(['setup-context', 'tenant'])) || !(await commandExists(['fetch-kubeconfig']))) {
      return 'this kubecred has no `fetch-kubeconfig` / `setup-context tenant` yet (issue 9)';
    }
    return undefined;
  },
  async run(s: DemoSession) {
    const management = await startApiServer({ secretAccess: { users: { alice: [tenantNamespace(TENANT)] } } });
    s.onCleanup(() => management.close());
    const tenantApi = await startApiServer();
    s.onCleanup(() => tenantApi.close());
    await putAdminSecret(management, tenantApi, TENANT, CLUSTER);
    tenantApi.putSecret('default', 'app-config', { token: 'not-a-real-one' });
    const secretReads = () => management.requests.filter((r) => r.path.endsWith(`/secrets/${adminSecretName(CLUSTER)}`)).length;
    s.note(
      `management cluster ${management.url} (Secret ${tenantNamespace(TENANT)}/${adminSecretName(CLUSTER)}), tenant cluster ${TENANT}/${CLUSTER} ${tenantApi.url}`,
    );

    // The management context needs a credential of its own. A plain client-certificate context keeps
    // the demo short; on Cozystack it is usually a kubecred OIDC context (Keycloak), which works the same.
    s.say("tenant 1. a context for the management cluster (here alice's client certificate, written with kubectl config)");
    const alice = await management.issueClientCert('alice', ['cozy-users']);
    const files = { ca: join(s.home, 'cozy-ca.crt'), cert: join(s.home, 'alice.crt'), key: join(s.home, 'alice.key') };
    writeFileSync(files.ca, management.caPem);
    writeFileSync(files.cert, alice.cert, { mode: 0o600 });
    writeFileSync(files.key, alice.key, { mode: 0o600 });
    const shortened = (args: string[]) => `kubectl ${args.join(' ').replaceAll(`${s.home}/`, '')}`;
    for (const args of [
      ['config', 'set-cluster', 'cozy', `--server=${management.url}`, `--certificate-authority=${files.ca}`, '--embed-certs=true'],
      ['config', 'set-credentials', 'cozy-alice', `--client-certificate=${files.cert}`, `--client-key=${files.key}`, '--embed-certs=true'],
      ['config', 'set-context', 'cozy', '--cluster=cozy', '--user=cozy-alice'],
    ]) {
      await s.kubectlRun(`kubectl ${args.slice(0, 2).join(' ')}`, args, { shown: shortened(args) });
    }

    s.say(`tenant 2. the one-off way: copy the admin kubeconfig out of the Secret into ~/.kube/config (context ${TENANT}-${CLUSTER})`);
    await s.kubecred('fetch-kubeconfig', [
      'fetch-kubeconfig',
      '--management-context',
      'cozy',
      '--tenant',
      TENANT,
      '--cluster',
      CLUSTER,
      '--merge',
    ]);
    await s.kubectlRun('kubectl (fetched kubeconfig)', ['--context', `${TENANT}-${CLUSTER}`, 'get', '--raw', '/version'], {
      capture: true,
    });

    s.say('tenant 3. the kubecred way: a context without a credential in it; kubecred reads the Secret when the certificate runs out');
    await s.kubecred('setup-context tenant', [
      'setup-context',
      'tenant',
      '--context',
      'demo-tenant',
      '--management-context',
      'cozy',
      '--tenant',
      TENANT,
      '--cluster',
      CLUSTER,
    ]);
    s.contexts.push({
      name: 'demo-tenant',
      provider: 'tenant',
      activity: () => ({ 'Secret reads at the management cluster': secretReads() }),
    });
    const before = secretReads();
    await s.kubectlRun('kubectl (tenant)', ['--context', 'demo-tenant', 'get', 'secrets']);
    s.note(`Secret reads during the kubectl command: ${secretReads() - before} (the certificate setup-context read is cached)`);
  },
};
