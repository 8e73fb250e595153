// After `kubecred login`: a provider that knows the cluster's CA (tenant: from the Secret Kamaji
// rewrites when it rotates the CA) reports it as meta.clusterCertificateAuthorityData; when the
// kubeconfig's cluster of that context holds another CA, it is replaced, where the cluster is defined.
import {
  findContextIn,
  getNamed,
  mergeDocs,
  resolveKubeconfig,
  updateKubeconfigFiles,
  upsertNamed,
  displayPath,
  type ClusterEntry,
} from '../kubeconfig/index.js';

export const CLUSTER_CA_META = 'clusterCertificateAuthorityData';

/** Returns a line saying what changed, or undefined when nothing needed to. */
export async function updateClusterCa(
  input: { kubeconfig?: string; env: Record<string, string | undefined>; contextName: string },
  meta: Record<string, unknown> | undefined,
): Promise<string | undefined> {
  const caData = meta?.[CLUSTER_CA_META];
  if (typeof caData !== 'string' || caData === '') return undefined;
  const { files } = resolveKubeconfig({ explicit: input.kubeconfig, env: input.env });
  const { result } = await updateKubeconfigFiles(files, (docs) => {
    const found = findContextIn(mergeDocs(docs), files, input.contextName);
    const cluster = found.cluster;
    if (!cluster || cluster['certificate-authority-data'] === caData) return undefined;
    // A CA from a file (certificate-authority) is the user's choice: leave it, and say so.
    if (cluster['certificate-authority'])
      return `the cluster's CA changed, but ${found.context.cluster} reads it from ${cluster['certificate-authority']}: update that file`;
    const doc = docs.find((d) => d.path === cluster.file)!;
    const current = getNamed(doc, 'clusters', cluster.name) as ClusterEntry;
    upsertNamed(doc, 'clusters', cluster.name, { ...current, 'certificate-authority-data': caData }, { force: true });
    return `updated the certificate-authority-data of cluster "${cluster.name}" in ${displayPath(doc.path)} (the cluster's CA was rotated)`;
  });
  return result;
}
