// Plain-words meanings of role and group names that platforms put into tokens: Mirantis MOSK /
// Container Cloud (`m:<app>:<namespace>:<cluster>@<role>`, from Keycloak) and Cozystack
// (`tenant-<name>-view|use|admin|super-admin`, `cozystack-cluster-admin`). Pure.

const KAAS_GLOBAL: Readonly<Record<string, string>> = {
  operator: 'manages bare-metal hosts and inventories of the management cluster',
  writer:
    'infrastructure operator: creates and deletes projects, clusters and machines; full access to every managed cluster and StackLight, not to the management cluster itself',
  reader: 'infrastructure support: may watch the status of clusters and machines',
  'global-admin': 'global administrator of Container Cloud (all projects and their clusters)',
};

const COZY_TENANT: Readonly<Record<string, string>> = {
  view: 'may look at the resources of tenant {t} (read only)',
  use: 'may look at and use the applications of tenant {t} (e.g. open consoles, reach services)',
  admin: 'administers the applications of tenant {t} (create, change, delete)',
  'super-admin': 'administers tenant {t} fully, including its nested tenants and settings',
};

/** A sentence for a known role or group name, else undefined. */
export function explainRole(name: string): string | undefined {
  let m = /^m:kaas@([\w-]+)$/.exec(name);
  if (m) return KAAS_GLOBAL[m[1]!] ? `MOSK: ${KAAS_GLOBAL[m[1]!]}` : undefined;
  m = /^m:kaas:([^:@]+)@(reader|writer)$/.exec(name);
  if (m)
    return m[2] === 'writer'
      ? `MOSK: administers project ${m[1]}: full access to its clusters and StackLight, may upgrade them`
      : `MOSK: support member of project ${m[1]} (read only)`;
  m = /^m:k8s:([^:@]+):([^:@]+)@cluster-admin$/.exec(name);
  if (m) return `MOSK: cluster-admin of Kubernetes cluster ${m[2]} in project ${m[1]}`;
  m = /^m:sl:([^:@]+):([^:@]+)@admin$/.exec(name);
  if (m) return `MOSK: full access to the StackLight monitoring of cluster ${m[2]} in project ${m[1]}`;
  if (name === 'cozystack-cluster-admin') return 'Cozystack: administrator of the whole management cluster';
  m = /^tenant-(.+)-(view|use|admin|super-admin)$/.exec(name);
  if (m) {
    // `tenant-root-super-admin` parses as tenant "root", role super-admin (the longest role wins).
    const sup = /^tenant-(.+)-super-admin$/.exec(name);
    const tenant = sup ? sup[1]! : m[1]!;
    const role = sup ? 'super-admin' : m[2]!;
    return `Cozystack: ${COZY_TENANT[role]!.replace('{t}', `tenant-${tenant}`)}`;
  }
  return undefined;
}

/** Where platforms put roles in a token; MOSK's claim name is not documented, so all are looked at. */
export const ROLE_CLAIMS = ['groups', 'roles', 'iam_roles', 'realm_access.roles'] as const;

function claimPath(claims: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), claims);
}

function strings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((x): x is string => typeof x === 'string') : [];
}

/** The role-like claims of a token: claim name → its values. */
export function roleClaims(claims: Record<string, unknown>): Array<{ claim: string; values: string[] }> {
  return ROLE_CLAIMS.map((claim) => ({ claim, values: strings(claimPath(claims, claim)) })).filter((c) => c.values.length > 0);
}

/** `name: meaning` lines for every known name among `names` (duplicates once). */
export function explainAll(names: readonly string[]): string[] {
  const out: string[] = [];
  for (const n of new Set(names)) {
    const e = explainRole(n);
    if (e) out.push(`${n}: ${e}`);
  }
  return out;
}
