// doctor: one line per check (✔ pass, ✘ fail, ! warn, · info), each ✘ or ! with what fixes it.
// Local checks first (kubeconfig, exec, permissions, keyring), then the provider's servers, then
// the API server with the cached credential (never a login: doctor must not open a browser).
import type { DoctorFinding } from '../providers/adoption.js';
import type { ProviderModule } from '../providers/types.js';
import type { HttpPort } from '../infra/types.js';
import { openSecretStore, scopedSecrets } from '../store/secret-store.js';
import { openTokenStore } from '../store/token-store.js';
import { isFresh } from '../exec/exec-credential.js';
import type { CacheEntry } from '../store/token-cache.js';
import type { Env } from '../kubeconfig/index.js';
import { oneLine } from '../shared/errors.js';
import { apiRequest, type ClusterTarget } from '../infra/apiserver-client.js';
import { resolveContext } from './resolve-context.js';
import { execChecks, keyringCheck, kubeconfigChecks, permissionChecks } from './doctor-local.js';
import { selfSubjectReview } from './whoami.js';

export const MAX_SKEW_MS = 30_000;

export interface DoctorOptions {
  kubeconfig?: string;
  context?: string;
  env: Env;
  fix: boolean;
  nowMs: () => number;
  modules: readonly ProviderModule[];
  http: HttpPort;
}

export interface DoctorReport {
  ok: boolean;
  context?: string;
  findings: DoctorFinding[];
}

function skewFinding(what: string, date: Date, nowMs: number): DoctorFinding {
  const skew = date.getTime() - nowMs;
  const s = Math.round(Math.abs(skew) / 1000);
  // Date headers have one-second resolution: anything within a couple of seconds is "in sync".
  if (Math.abs(skew) <= MAX_SKEW_MS) return { status: 'pass', check: 'clock', detail: `within ${Math.max(s, 1)} s of ${what}` };
  return {
    status: 'warn',
    check: 'clock',
    detail: `your clock is ${s} s ${skew > 0 ? 'behind' : 'ahead of'} ${what}: tokens look expired or not yet valid`,
    fix: 'sync the clock (sudo timedatectl set-ntp true, or w32tm /resync on Windows)',
  };
}

async function serverChecks(
  found: { name: string; namespace: string; cluster: ClusterTarget },
  entry: CacheEntry | undefined,
  unauthorizedHint: string | undefined,
  nowMs: () => number,
  findings: DoctorFinding[],
): Promise<void> {
  const unauthorized = `the API server does not accept the cached credential (401)${unauthorizedHint ? `: ${unauthorizedHint}` : ''}`;
  const target = found.cluster;
  const via = target['proxy-url'] ? ` via ${target['proxy-url'].replace(/\/\/[^@/]*@/, '//***@')}` : '';
  let anonymous;
  try {
    anonymous = await apiRequest(target, undefined, 'GET', '/version');
  } catch (err) {
    findings.push({
      status: 'fail',
      check: 'API server',
      detail: `${target.server}${via}: ${oneLine(err)}`,
      fix: 'check the cluster server URL, proxy-url and certificate-authority in the kubeconfig, and your network',
    });
    return;
  }
  findings.push({
    status: 'pass',
    check: 'API server',
    detail: `${target.server}${via} answered (TLS ${target['insecure-skip-tls-verify'] ? 'NOT verified' : 'verified'})`,
  });
  if (anonymous.date) findings.push(skewFinding('the API server', anonymous.date, nowMs()));
  if (!entry) return;
  const version = anonymous.status === 200 ? anonymous : await apiRequest(target, entry.credential, 'GET', '/version');
  if (version.status === 401) {
    findings.push({
      status: 'fail',
      check: 'credential',
      detail: unauthorized,
      fix: `kubecred login --context ${found.name}; if it stays 401, the API server does not trust this issuer/client (ask its admin)`,
    });
    return;
  }
  const git = (version.body as { gitVersion?: string } | undefined)?.gitVersion;
  findings.push({
    status: version.status === 200 ? 'pass' : 'warn',
    check: '/version',
    detail: version.status === 200 ? `Kubernetes ${git ?? '?'}` : `answered ${version.status}`,
  });
  if (anonymous.status !== 200) findings.push({ status: 'pass', check: 'credential', detail: 'accepted by the API server' });
  const ssar = await apiRequest(target, entry.credential, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
    apiVersion: 'authorization.k8s.io/v1',
    kind: 'SelfSubjectAccessReview',
    spec: { resourceAttributes: { namespace: found.namespace, verb: 'get', resource: 'pods' } },
  });
  if (ssar.status === 401) {
    findings.push({ status: 'fail', check: 'credential', detail: unauthorized, fix: `kubecred login --context ${found.name}` });
    return;
  }
  const allowed = (ssar.body as { status?: { allowed?: boolean } } | undefined)?.status?.allowed;
  if (ssar.status !== 201 && ssar.status !== 200) {
    findings.push({
      status: 'info',
      check: 'access',
      detail: `SelfSubjectAccessReview answered ${ssar.status}: cannot tell what you may do`,
    });
  } else if (allowed) {
    findings.push({ status: 'pass', check: 'access', detail: `may get pods in ${found.namespace}` });
  } else {
    const who = (await selfSubjectReview(target, entry).catch(() => undefined))?.username ?? entry.label ?? 'authenticated';
    findings.push({
      status: 'fail',
      check: 'access',
      detail: `you are ${who}, but have no role in ${found.namespace}: ask for Developer`,
      fix: `ask your cluster admin for a role in ${found.namespace} (Mia-Platform: Developer or Admin); what you have now: kubecred whoami --access --context ${found.name}`,
    });
  }
}

export async function doctor(options: DoctorOptions): Promise<DoctorReport> {
  const { env } = options;
  const { findings, found } = kubeconfigChecks(options.kubeconfig, options.context, env);
  const done = (): DoctorReport => ({
    ok: findings.every((f) => f.status === 'pass' || f.status === 'info'),
    context: found?.context.name,
    findings,
  });
  if (!found || !found.user) return done();
  findings.push(...execChecks(found, env));
  let ctx;
  try {
    ctx = resolveContext(options.modules, options.kubeconfig, found.context.name, env);
  } catch {
    return done(); // not a kubecred entry: execChecks said what to run
  }
  findings.push(...permissionChecks(ctx.common.cacheDir, options.fix));
  findings.push(await keyringCheck());
  const provider = await ctx.module.load();
  if (provider.doctor) {
    const { values } = ctx;
    const store = await openSecretStore({ cacheDir: ctx.common.cacheDir, notice: () => {} }).catch(() => undefined);
    const secrets = store ? scopedSecrets(store, ctx.key) : undefined;
    for (const f of await provider.doctor({
      values,
      env: ctx.invocation.env,
      contextName: found.context.name,
      http: options.http,
      secret: async (n) => secrets?.get(n),
    })) {
      findings.push(f);
      if (f.serverDate) findings.push(skewFinding(f.serverDate.what, f.serverDate.date, options.nowMs()));
    }
  }
  // Without --fix doctor only looks: reading must not quietly repair what it just reported.
  const tokens = await openTokenStore({
    dir: ctx.common.cacheDir,
    storage: ctx.common.storage === 'none' ? 'disk' : ctx.common.storage,
    notice: () => {},
    repair: options.fix === true,
  });
  const read = await tokens.read(ctx.key);
  const entry =
    read.status === 'hit' && read.entry.credential && isFresh(Date.parse(read.entry.expiresAt), options.nowMs(), 0)
      ? read.entry
      : undefined;
  if (!entry) {
    findings.push({
      status: 'warn',
      check: 'cached credential',
      detail: read.status === 'corrupt' ? `unusable (${read.problem})` : 'none fresh: the server checks below need one',
      fix: `kubecred login --context ${found.context.name}`,
    });
  } else {
    findings.push({
      status: 'pass',
      check: 'cached credential',
      detail: `${entry.label ?? 'a credential'}, valid until ${entry.expiresAt}`,
    });
  }
  if (found.cluster?.server) {
    const hint = entry ? provider.describe(entry).unauthorizedHint : undefined;
    await serverChecks(
      { name: found.context.name, namespace: found.context.namespace ?? 'default', cluster: found.cluster as ClusterTarget },
      entry,
      hint,
      options.nowMs,
      findings,
    );
  }
  return done();
}

const MARK = { pass: '✔', fail: '✘', warn: '!', info: '·' } as const;

export function doctorLines(report: DoctorReport): string[] {
  const lines: string[] = [];
  for (const f of report.findings) {
    lines.push(`${MARK[f.status]} ${f.check}: ${f.detail}`);
    if (f.fix && (f.status === 'fail' || f.status === 'warn')) lines.push(`    fix: ${f.fix}`);
  }
  lines.push(
    report.ok
      ? 'all checks passed'
      : `${report.findings.filter((f) => f.status === 'fail' || f.status === 'warn').length} problem(s) found`,
  );
  return lines;
}
