// `get-token tenant` flags: which Cozystack tenant cluster, which of its admin kubeconfigs, and the
// management-cluster context to read the Secret through. Pure data.
import type { FlagSpec } from '../../exec/flags.js';
import { commonGetTokenFlags } from '../../exec/common-flags.js';

/** Where the Secret is read from; shared with `fetch-kubeconfig`. */
export const managementFlags: readonly FlagSpec[] = [
  {
    name: 'management-context',
    type: 'string',
    description: 'kubeconfig context of the Cozystack management cluster (may itself be a kubecred OIDC context)',
  },
  {
    name: 'management-kubeconfig',
    type: 'string',
    path: true,
    description: 'kubeconfig file holding the management context',
    defaultText: '$KUBECONFIG or ~/.kube/config',
  },
];

export const tenantClusterFlags: readonly FlagSpec[] = [
  { name: 'tenant', type: 'string', description: 'Cozystack tenant: the Secret is in namespace tenant-<tenant> (required)' },
  {
    name: 'cluster',
    type: 'string',
    description: 'tenant Kubernetes cluster name: Secret kubernetes-<cluster>-admin-kubeconfig (required)',
  },
  { name: 'variant', type: 'string', description: 'admin (kubernetes-admin) or super-admin (system:masters)', defaultText: 'admin' },
  { name: 'internal', type: 'boolean', description: 'the .svc kubeconfig: API address inside the cluster (for workloads)' },
];

export const tenantGetTokenFlags: readonly FlagSpec[] = [...managementFlags, ...tenantClusterFlags, ...commonGetTokenFlags];
