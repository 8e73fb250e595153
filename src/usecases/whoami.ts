// whoami: who the cached credential of a context speaks for, without network by default; with
// `server`, what the cluster says (SelfSubjectReview), with `access`, what it may do in the
// context's namespace (SelfSubjectRulesReview). Role names from MOSK and Cozystack are explained.
import type { CacheEntry } from '../store/token-cache.js';
import { openTokenStore } from '../store/token-store.js';
import type { CredentialDescription, ProviderModule } from '../providers/types.js';
import { findContext, resolveKubeconfig, type Env } from '../kubeconfig/index.js';
import { KubecredError } from '../shared/errors.js';
import { certificateSubject } from '../shared/x509-subject.js';
import { apiRequest, type ClusterTarget } from '../infra/apiserver-client.js';
import { resolveContext } from './resolve-context.js';
import { explainAll } from './role-explanations.js';
import { accessTable, matchMiaProfile, type ResourceRule } from './access-profile.js';
import { relativeTime } from './cache.js';

export interface WhoamiInput {
  kubeconfig?: string;
  context?: string;
  env: Env;
  server: boolean;
  access: boolean;
  nowMs: number;
  modules: readonly ProviderModule[];
}

export interface ServerView {
  /** SelfSubjectReview version that answered, or undefined when the server has none. */
  version?: string;
  username?: string;
  uid?: string;
  groups?: string[];
  extra?: Record<string, string[]>;
  problem?: string;
}

export interface WhoamiReport {
  context: string;
  provider: string;
  summary: string;
  fields: Array<[string, string | string[]]>;
  expiresAt: string;
  timeLeft: string;
  expired: boolean;
  /** `name: meaning` for role and group names we know. */
  meanings: string[];
  server?: ServerView;
  access?: { namespace: string; table: string[]; profile: string; rules: ResourceRule[] };
}

function describeCertificate(entry: CacheEntry): CredentialDescription | undefined {
  const c = entry.credential;
  if (!c || !('clientCertificateData' in c)) return undefined;
  const s = certificateSubject(c.clientCertificateData);
  if (!s) return undefined;
  return {
    summary: `${s.commonName ?? '?'} (certificate)`,
    fields: [
      ['certificate CN', s.commonName ?? '(none)'],
      ['certificate O', s.organizations.length ? s.organizations : '(none)'],
      ['certificate NotAfter', s.notAfter.toISOString()],
    ],
  };
}

/** SelfSubjectReview in the newest version the server has (1.28+ v1, 1.27 v1beta1, 1.26 v1alpha1). */
export async function selfSubjectReview(target: ClusterTarget, entry: CacheEntry): Promise<ServerView> {
  for (const version of ['v1', 'v1beta1', 'v1alpha1']) {
    const answer = await apiRequest(target, entry.credential, 'POST', `/apis/authentication.k8s.io/${version}/selfsubjectreviews`, {
      apiVersion: `authentication.k8s.io/${version}`,
      kind: 'SelfSubjectReview',
    });
    if (answer.status === 404) continue;
    if (answer.status === 401) return { problem: 'the API server does not accept this credential (401): run kubecred login' };
    if (answer.status !== 201 && answer.status !== 200) return { problem: `the API server answered ${answer.status} to SelfSubjectReview` };
    const info = ((answer.body as { status?: { userInfo?: Record<string, unknown> } })?.status?.userInfo ?? {}) as ServerView;
    return { version: `authentication.k8s.io/${version}`, username: info.username, uid: info.uid, groups: info.groups, extra: info.extra };
  }
  return { problem: 'this API server has no SelfSubjectReview (Kubernetes < 1.26): it cannot say who you are' };
}

export async function rulesReview(target: ClusterTarget, entry: CacheEntry, namespace: string): Promise<ResourceRule[]> {
  const answer = await apiRequest(target, entry.credential, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectRulesReview',
    spec: { namespace },
  });
  if (answer.status !== 201 && answer.status !== 200)
    throw new KubecredError(`the API server answered ${answer.status} to SelfSubjectRulesReview in ${namespace}`);
  return ((answer.body as { status?: { resourceRules?: ResourceRule[] } })?.status?.resourceRules ?? []) as ResourceRule[];
}

export async function whoami(input: WhoamiInput): Promise<WhoamiReport> {
  const { files } = resolveKubeconfig({ explicit: input.kubeconfig, env: input.env });
  const found = findContext(files, input.context);
  const name = found.context.name;
  const ctx = resolveContext(input.modules, input.kubeconfig, name, input.env);
  const tokens = await openTokenStore({
    dir: ctx.common.cacheDir,
    storage: ctx.common.storage === 'none' ? 'disk' : ctx.common.storage,
    notice: () => {},
  });
  const read = await tokens.read(ctx.key);
  if (read.status !== 'hit' || !read.entry.credential) {
    const why = read.status === 'corrupt' ? ` (the cached one is unusable: ${read.problem})` : '';
    throw new KubecredError(`no cached credential for context ${name}${why}: run kubecred login --context ${name}`);
  }
  const entry = read.entry;
  const module = input.modules.find((m) => m.kind === entry.provider);
  const described = module ? (await module.load()).describe(entry) : undefined;
  const description: CredentialDescription = described?.fields.length
    ? described
    : (describeCertificate(entry) ?? described ?? { summary: entry.label ?? '?', fields: [] });
  // Where the credential comes from, unless a field already says it (the OIDC issuer).
  if (description.source && !description.fields.some(([, v]) => v === description.source)) {
    description.fields = [['source', description.source], ...description.fields];
  }
  const expiresMs = Date.parse(entry.expiresAt);
  const names = description.fields
    .filter(([k]) => k === 'groups' || k === 'roles' || k === 'certificate O')
    .flatMap(([, v]) => (Array.isArray(v) ? v : [v]));
  const report: WhoamiReport = {
    context: name,
    provider: entry.provider,
    summary: description.summary,
    fields: description.fields,
    expiresAt: entry.expiresAt,
    timeLeft: relativeTime(expiresMs, input.nowMs),
    expired: expiresMs <= input.nowMs,
    meanings: explainAll(names),
  };
  const target = found.cluster as ClusterTarget | undefined;
  if ((input.server || input.access) && !target?.server)
    throw new KubecredError(`context ${name} names cluster ${found.context.cluster}, which has no server`);
  if (input.server) {
    report.server = await selfSubjectReview(target!, entry);
    report.meanings = explainAll([...names, ...(report.server.groups ?? [])]);
  }
  if (input.access) {
    const namespace = found.context.namespace ?? 'default';
    const rules = await rulesReview(target!, entry, namespace);
    report.access = { namespace, rules, table: accessTable(rules), profile: matchMiaProfile(rules).line };
  }
  return report;
}

export function whoamiLines(r: WhoamiReport): string[] {
  const rows: Array<[string, string]> = [
    ['context', r.context],
    ['provider', r.provider],
    ...r.fields.map(([k, v]): [string, string] => [k, Array.isArray(v) ? v.join(', ') : v]),
    ['expires', `${r.expiresAt} (${r.expired ? `expired ${r.timeLeft}` : r.timeLeft})`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length)) + 1;
  const lines = rows.map(([k, v]) => `${(k + ':').padEnd(width + 1)}${v}`);
  if (r.server) {
    lines.push('', 'the cluster says:');
    if (r.server.problem) lines.push(`  ${r.server.problem}`);
    else {
      lines.push(`  username: ${r.server.username ?? '?'}`);
      if (r.server.uid) lines.push(`  uid:      ${r.server.uid}`);
      lines.push(`  groups:   ${(r.server.groups ?? []).join(', ')}`);
      for (const [k, v] of Object.entries(r.server.extra ?? {})) lines.push(`  ${k}: ${v.join(', ')}`);
      lines.push(`  (${r.server.version})`);
    }
  }
  if (r.meanings.length) lines.push('', 'what your roles mean:', ...r.meanings.map((m) => `  ${m}`));
  if (r.access)
    lines.push('', `what you may do in namespace ${r.access.namespace}:`, ...r.access.table.map((l) => `  ${l}`), `  ${r.access.profile}`);
  return lines;
}
