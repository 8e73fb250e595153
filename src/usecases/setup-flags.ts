// The flags of `setup-context <kind>`, generated from tables: the cluster and kubeconfig options
// every provider shares (here), the common get-token flags and the provider's own get-token flags
// (written into the exec args under the same names), and the provider's setup-only flags.
import type { FlagSpec } from '../exec/flags.js';
import type { ProviderModule } from '../providers/types.js';

/** Options about the cluster, the entries and the kubeconfig: never written into the exec args. */
export const clusterSetupFlags: readonly FlagSpec[] = [
  { name: 'context', type: 'string', description: 'kubeconfig context to create or update (required)' },
  { name: 'server', type: 'string', description: 'Kubernetes API server URL (https://…; required unless the provider knows it)' },
  {
    name: 'certificate-authority',
    type: 'string',
    path: true,
    description: 'PEM file of the CA that signed the API server certificate (embedded)',
  },
  { name: 'certificate-authority-data', type: 'string', description: 'base64 of that PEM, as in another kubeconfig' },
  { name: 'insecure-skip-tls-verify', type: 'boolean', description: 'do not verify the API server certificate (unsafe)' },
  { name: 'tls-server-name', type: 'string', description: 'server name to verify the API server certificate against' },
  { name: 'proxy-url', type: 'string', description: 'http://, https:// or socks5:// proxy to reach a private cluster' },
  { name: 'namespace', type: 'string', description: 'default namespace of the context' },
  {
    name: 'kubeconfig',
    type: 'string',
    path: true,
    description: 'kubeconfig file to write',
    defaultText: 'first of KUBECONFIG, else ~/.kube/config',
  },
  { name: 'use', type: 'boolean', description: 'also make it the current context' },
  { name: 'force', type: 'boolean', description: 'replace existing entries of the same name that have other settings' },
  { name: 'exec-command', type: 'string', description: 'command kubectl runs', defaultText: 'kubecred if on PATH, else its absolute path' },
  {
    name: 'runtime',
    type: 'string',
    description: 'what kubectl starts kubecred with: node, bun (Bun answers cache hits, Node everything else) or auto (bun when on PATH)',
    defaultText: 'node',
  },
  {
    name: 'exec-api-version',
    type: 'string',
    description: 'exec API version: v1, or v1beta1 for kubectl older than 1.22',
    defaultText: 'by the kubectl on PATH',
  },
  { name: 'cluster-name', type: 'string', description: 'cluster entry name', defaultText: 'the context name' },
  { name: 'user-name', type: 'string', description: 'user entry name', defaultText: '<context>-<provider>' },
  {
    name: 'get-token-arg',
    type: 'list',
    description: 'any other get-token flag, verbatim, e.g. --get-token-arg=--pkce-method=no',
  },
  { name: 'login', type: 'boolean', description: 'log in right away and show who you are' },
];

export interface SetupTable {
  /** Everything setup-context <kind> parses. */
  all: FlagSpec[];
  /** Canonical names of the get-token flags it writes into the exec args. */
  written: Set<string>;
}

/**
 * The combined table. Where a get-token flag or alias has the name of a cluster flag (OIDC's
 * `--certificate-authority`, the IdP's CA), the cluster flag wins and the get-token flag is
 * reached by its canonical name (`--oidc-ca-file`).
 */
export function setupTable(module: ProviderModule): SetupTable {
  const taken = new Set<string>();
  for (const f of [...clusterSetupFlags, ...module.setupFlags]) {
    taken.add(f.name);
    for (const a of f.aliases ?? []) taken.add(a);
  }
  const written = new Set<string>();
  const passed: FlagSpec[] = [];
  for (const f of module.getTokenFlags) {
    if (f.ignored) continue;
    if (taken.has(f.name)) throw new Error(`setup-context ${module.kind}: get-token flag --${f.name} collides with a setup flag`);
    // No env: what setup writes comes from its command line, not from a sourced openrc.
    passed.push({ ...f, aliases: f.aliases?.filter((a) => !taken.has(a)), env: undefined });
    if (f.setup === undefined) written.add(f.name);
  }
  return { all: [...clusterSetupFlags, ...passed, ...module.setupFlags], written };
}
