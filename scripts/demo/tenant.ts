// Cozystack tenant clusters: a management API server holding Kamaji's
// `kubernetes-<cluster>-admin-kubeconfig` Secret in namespace `tenant-<name>`, and the tenant API
// server trusting the client certificate in it. To fill in when tenants land (issue 9):
//   kubecred fetch-kubeconfig --management-context <ctx> --tenant demo --cluster dev --merge
//   kubectl --context demo-dev get --raw /version
//   kubecred setup-context tenant --context demo-tenant --management-context <ctx> --tenant demo --cluster dev
//   kubectl --context demo-tenant get pods
// (the management context can be a token context written with kubectl config, or the OIDC step's
// context), and push { name: 'demo-tenant', provider: 'tenant', activity } onto s.contexts.
import type { DemoStep } from './session.js';
import { commandExists } from './commands.js';

export const tenantStep: DemoStep = {
  name: 'tenant',
  title: 'Cozystack tenant cluster: the admin kubeconfig from a Secret of the management cluster',
  inDefault: false,
  async unavailable() {
    if (!(await commandExists(['setup-context', 'tenant'])) || !(await commandExists(['fetch-kubeconfig']))) {
      return 'this kubecred has no `fetch-kubeconfig` / `setup-context tenant` yet (issue 9)';
    }
    return 'the tenant demo step is still to be written (scripts/demo/tenant.ts)';
  },
  async run() {
    throw new Error('not written yet');
  },
};
