// `kubecred fetch-kubeconfig`: a Cozystack tenant cluster's kubeconfig, read from its Secret in the
// management cluster and checked, then printed, written to a file (0600, atomically, never over an
// existing file without --force) or merged into the kubeconfig under names of its own (`<T>-<C>`),
// so Kamaji's generic `kubernetes-admin` never collides. `--variant oidc` turns the kubelogin user
// of the OIDC kubeconfig into a `kubecred get-token oidc` exec entry. `--list` shows what there is.
// Everything is read and checked before anything is written.
import { lstatSync } from 'node:fs';
import { resolve } from 'node:path';
import { stringify } from 'yaml';
import type { Infrastructure } from '../infra/types.js';
import { UsageError } from '../shared/errors.js';
import { KubecredError } from '../shared/errors.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import {
  displayPath,
  originDoc,
  resolveKubeconfig,
  setCurrentContext,
  updateKubeconfigFiles,
  upsertNamed,
  type ClusterEntry,
  type EntryOf,
  type NamedKind,
  type UpsertResult,
  type UserEntry,
} from '../kubeconfig/index.js';
import { ForbiddenError, openManagement, type ManagementTarget } from '../providers/tenant/management.js';
import { listTenantClusters, readTenantKubeconfig, type FetchedKubeconfig } from '../providers/tenant/tenant-secrets.js';
import { kubeloginArgs, rewriteKubelogin } from '../providers/tenant/kubelogin.js';
import type { FetchVariant } from '../providers/tenant/names.js';
import { buildExecConfig, type ExecSpec } from './setup-context.js';

export type FetchOutput =
  | { kind: 'stdout' }
  | { kind: 'file'; path: string; force: boolean }
  | { kind: 'merge'; kubeconfig?: string; as?: string; use: boolean; force: boolean };

export interface FetchKubeconfigInput {
  management: ManagementTarget;
  tenant: string;
  cluster: string;
  variant: FetchVariant;
  internal: boolean;
  output: FetchOutput;
  /** For --variant oidc: the exec command and apiVersion kubectl will run (`kubecred`, v1). */
  exec: Pick<ExecSpec, 'command' | 'apiVersion'>;
  interactive: boolean;
}

export interface FetchKubeconfigResult {
  /** The kubeconfig text, for stdout (only with output stdout). */
  text?: string;
  /** Progress lines for stderr. */
  notes: string[];
  /** Summary lines for stdout (file written, entries merged). */
  lines: string[];
}

function entryName(input: FetchKubeconfigInput): string {
  const name = input.output.kind === 'merge' && input.output.as !== undefined ? input.output.as : `${input.tenant}-${input.cluster}`;
  if (name === '' || /[\u0000-\u001f\u007f]/.test(name)) throw new UsageError('--as must be a non-empty name without control characters');
  return name;
}

/** The user entry to write: the Secret's own, or for oidc a kubecred exec entry replacing kubelogin. */
function userEntry(fetched: FetchedKubeconfig, input: FetchKubeconfigInput, notes: string[]): UserEntry {
  const user = fetched.doc.users[0]!.user as UserEntry & { exec?: { command: string; args?: string[] | null } };
  if (input.variant !== 'oidc') return user;
  if (!user.exec) throw new KubecredError(`${fetched.where}: the user has no exec entry to rewrite (it is not a kubelogin kubeconfig)`);
  const rewrite = rewriteKubelogin(kubeloginArgs(user.exec, fetched.where), fetched.where);
  if (rewrite.dropped.length)
    notes.push(
      `left out kubelogin's ${rewrite.dropped.join(', ')} (kubecred keeps its own cache and never writes secrets into a kubeconfig)`,
    );
  const issuer = String(rewrite.values['issuer-url']);
  return {
    exec: buildExecConfig({
      command: input.exec.command,
      apiVersion: input.exec.apiVersion,
      args: ['get-token', 'oidc', ...rewrite.args],
      installHint: `kubecred logs you in to ${issuer} for this cluster: install it (npm install -g kubecred) and put it on PATH`,
    }),
  };
}

/** A one-context kubeconfig document with the given names (stdout and -o keep the Secret's names). */
function kubeconfigText(fetched: FetchedKubeconfig, user: UserEntry, names: { cluster: string; user: string; context: string }): string {
  const context = { ...fetched.doc.contexts[0]!.context, cluster: names.cluster, user: names.user };
  return stringify(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: names.cluster, cluster: fetched.doc.clusters[0]!.cluster }],
      users: [{ name: names.user, user }],
      contexts: [{ name: names.context, context }],
      'current-context': names.context,
      preferences: {},
    },
    { lineWidth: 0 },
  );
}

function refuseExisting(path: string, force: boolean): void {
  let exists = true;
  try {
    lstatSync(path);
  } catch {
    exists = false;
  }
  if (exists && !force) throw new KubecredError(`${displayPath(path)} exists: pass --force to replace it, or -o another file`);
}

export async function fetchKubeconfig(infra: Infrastructure, input: FetchKubeconfigInput): Promise<FetchKubeconfigResult> {
  const notes: string[] = [];
  const name = entryName(input);
  if (input.output.kind === 'file') refuseExisting(resolve(input.output.path), input.output.force);
  const client = await openManagement(input.management, {
    env: infra.env,
    interactive: input.interactive,
    debug: (m) => infra.log.debug(m),
  });
  const fetched = await readTenantKubeconfig(
    client,
    { tenant: input.tenant, cluster: input.cluster, variant: input.variant, internal: input.internal },
    infra.clock.now(),
  );
  const user = userEntry(fetched, input, notes);
  const cert = fetched.certificate;
  notes.push(
    `read ${fetched.where} through context ${client.contextName}${cert ? `: ${cert.commonName}${cert.organizations.length ? ` (${cert.organizations.join(', ')})` : ''}, valid until ${cert.notAfter.toISOString()}` : ''}`,
  );
  if (cert)
    notes.push(
      `this copy stops working when Kamaji re-issues the certificate; kubecred setup-context tenant keeps a context current instead`,
    );

  // The Secret's kubeconfig as it is; the oidc variant with its kubelogin user rewritten to ours.
  const asFetched = () =>
    input.variant === 'oidc'
      ? kubeconfigText(fetched, user, {
          cluster: fetched.doc.clusters[0]!.name,
          user: fetched.doc.users[0]!.name,
          context: fetched.doc.contexts[0]!.name,
        })
      : fetched.text;
  if (input.output.kind === 'stdout') {
    const text = asFetched();
    return { text: text.endsWith('\n') ? text : `${text}\n`, notes, lines: [] };
  }
  if (input.output.kind === 'file') {
    const path = resolve(input.output.path);
    const text = asFetched();
    refuseExisting(path, input.output.force);
    try {
      writeFileAtomic(path, text);
    } catch (err) {
      throw new KubecredError(
        `cannot write ${displayPath(path)} (${(err as NodeJS.ErrnoException).code ?? 'error'}): check that its directory exists and is yours to write`,
      );
    }
    return { notes, lines: [`wrote ${displayPath(path)} (mode 0600)`] };
  }
  const merge = input.output;
  const location = resolveKubeconfig({ explicit: merge.kubeconfig, env: infra.env });
  const cluster = fetched.doc.clusters[0]!.cluster as ClusterEntry;
  const { namespace } = fetched.doc.contexts[0]!.context;
  const { result } = await updateKubeconfigFiles(location.files, (docs) => {
    const target = docs[0]!;
    const put = <K extends NamedKind>(kind: K, value: EntryOf<K>): [UpsertResult, string] => {
      const doc = originDoc(docs, kind, name, target);
      return [upsertNamed(doc, kind, name, value, { force: merge.force }), doc.path];
    };
    const outcomes = {
      cluster: put('clusters', cluster),
      user: put('users', user),
      context: put('contexts', { cluster: name, user: name, ...(namespace ? { namespace } : {}) }),
    };
    if (merge.use) setCurrentContext(target, name);
    return outcomes;
  });
  const lines = (['cluster', 'user', 'context'] as const).map((k) => `${k} "${name}": ${result[k][0]} in ${displayPath(result[k][1])}`);
  lines.push(merge.use ? `current-context: "${name}"` : `switch to it with: kubectl config use-context ${name}  (or pass --use)`);
  return { notes, lines };
}

export async function listClusters(
  infra: Infrastructure,
  input: { management: ManagementTarget; tenant?: string; interactive: boolean },
): Promise<string[]> {
  const client = await openManagement(input.management, {
    env: infra.env,
    interactive: input.interactive,
    debug: (m) => infra.log.debug(m),
  });
  let found;
  try {
    found = await listTenantClusters(client, input.tenant);
  } catch (err) {
    // Tenants may read their own namespace only; listing every namespace is for platform admins.
    if (err instanceof ForbiddenError && input.tenant === undefined)
      throw new KubecredError(`${err.message.split(':')[0]}: pass --tenant T to list the clusters of a tenant you can read`);
    throw err;
  }
  if (found.length === 0)
    return [`no tenant clusters visible through context ${client.contextName}${input.tenant ? ` in tenant-${input.tenant}` : ''}`];
  const now = infra.clock.now();
  const rows = found.map((c) => [
    c.tenant,
    c.cluster,
    c.variants.join(','),
    c.expiresAt ? `${c.expiresAt.toISOString()}${c.expiresAt.getTime() <= now ? ' (expired)' : ''}` : '-',
  ]);
  const header = ['TENANT', 'CLUSTER', 'VARIANTS', 'EXPIRES'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: string[]) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');
  return [fmt(header), ...rows.map(fmt)];
}
