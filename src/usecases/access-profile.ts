// What an identity may do in a namespace, from a SelfSubjectRulesReview: a small verbs × resources
// table, and whether it matches Mia-Platform's Developer or Admin role (the table in Mia-Platform's
// runtime documentation; its typos such as `deamonset.apps` corrected). Pure.

export interface ResourceRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

interface Target {
  group: string;
  resource: string;
}

/** `pods/exec`, `deployments.apps/scale`, `pods.metrics.k8s.io` → group + resource(/subresource). */
function target(spec: string): Target {
  const [main, sub] = spec.split('/') as [string, string | undefined];
  const dot = main.indexOf('.');
  const resource = dot === -1 ? main : main.slice(0, dot);
  const group = dot === -1 ? '' : main.slice(dot + 1);
  return { group, resource: sub ? `${resource}/${sub}` : resource };
}

export function allows(rules: readonly ResourceRule[], verb: string, spec: string): boolean {
  const t = target(spec);
  return rules.some((r) => {
    if (r.resourceNames?.length) return false; // limited to named objects: not a general permission
    const groups = r.apiGroups ?? [''];
    if (!groups.includes('*') && !groups.includes(t.group)) return false;
    if (!r.verbs.includes('*') && !r.verbs.includes(verb)) return false;
    const base = t.resource.split('/')[0]!;
    return (r.resources ?? []).some((x) => x === '*' || x === t.resource || (x === `${base}/*` && t.resource.includes('/')));
  });
}

const READ = ['get', 'list', 'watch'];
const ALL = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/** resource → verbs, per role (Mia-Platform PaaS runtime permissions). */
const DEVELOPER: Record<string, string[]> = {
  'pods/exec': ['create'],
  'pods/portforward': ['create'],
  'pods.metrics.k8s.io': READ,
  configmaps: READ,
  events: READ,
  limitranges: READ,
  namespaces: READ,
  persistentvolumeclaims: READ,
  'pods/log': READ,
  pods: READ,
  resourcequotas: READ,
  services: READ,
  'daemonsets.apps': READ,
  'deployments.apps': READ,
  'replicasets.apps': READ,
  'statefulsets.apps': READ,
  'cronjobs.batch': READ,
  'jobs.batch': READ,
  secrets: ['list', 'watch'],
};
const ADMIN_EXTRA: Record<string, string[]> = {
  limitranges: ALL,
  namespaces: ALL,
  'pods/log': ALL,
  pods: ALL,
  'daemonsets.apps': ALL,
  'deployments.apps': ALL,
  'deployments.apps/scale': ALL,
  'replicasets.apps': ALL,
  'statefulsets.apps': ALL,
  'cronjobs.batch': ALL,
  'jobs.batch': ALL,
  'horizontalpodautoscalers.autoscaling': ALL,
  secrets: ALL,
};
const ADMIN: Record<string, string[]> = { ...DEVELOPER, ...ADMIN_EXTRA };

function missing(rules: readonly ResourceRule[], profile: Record<string, string[]>): string[] {
  const out: string[] = [];
  for (const [res, verbs] of Object.entries(profile)) {
    const lacking = verbs.filter((v) => !allows(rules, v, res));
    if (lacking.length) out.push(`${lacking.join(',')} ${res}`);
  }
  return out;
}

export interface ProfileMatch {
  /** The largest Mia-Platform role the rules cover, or undefined. */
  role?: 'Admin' | 'Developer';
  /** What the next role up would need (`get secrets`, …), at most a few. */
  missingForNext: string[];
  /** Developer may list secrets but not read them: a Developer-like identity that can `get secrets` is more. */
  line: string;
}

export function matchMiaProfile(rules: readonly ResourceRule[]): ProfileMatch {
  const forAdmin = missing(rules, ADMIN);
  if (forAdmin.length === 0)
    return {
      role: 'Admin',
      missingForNext: [],
      line: 'matches the Mia-Platform Admin role (also creates, edits and deletes most resources)',
    };
  const forDev = missing(rules, DEVELOPER);
  if (forDev.length === 0) {
    return {
      role: 'Developer',
      missingForNext: forAdmin.slice(0, 4),
      line: `matches the Mia-Platform Developer role (reads most resources, exec and port-forward; Admin would also need ${forAdmin.slice(0, 3).join('; ')}…)`,
    };
  }
  return {
    missingForNext: forDev.slice(0, 4),
    line: `matches neither Mia-Platform role: Developer would also need ${forDev.slice(0, 3).join('; ')}${forDev.length > 3 ? '…' : ''}`,
  };
}

export const TABLE_VERBS = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] as const;
export const TABLE_RESOURCES = [
  'pods',
  'pods/log',
  'pods/exec',
  'pods/portforward',
  'services',
  'configmaps',
  'secrets',
  'deployments.apps',
  'jobs.batch',
  'events',
] as const;

/** A fixed-width table: one row per resource, ✔ or · per verb. */
export function accessTable(rules: readonly ResourceRule[]): string[] {
  const width = Math.max(...TABLE_RESOURCES.map((r) => r.length)) + 2;
  const head =
    'RESOURCE'.padEnd(width) +
    TABLE_VERBS.map((v) => v.padEnd(7))
      .join('')
      .trimEnd();
  const rows = TABLE_RESOURCES.map(
    (res) =>
      res.padEnd(width) +
      TABLE_VERBS.map((v) => (allows(rules, v, res) ? '✔' : '·').padEnd(7))
        .join('')
        .trimEnd(),
  );
  return [head, ...rows];
}
