// convert-kubeconfig: rewrites users of other credential tools (kubelogin, the legacy oidc
// auth-provider, client-keystone-auth) into `kubecred get-token <kind>` exec entries, keeping the
// entry names, clusters and contexts. Providers say how (`adopt`); this use case owns the
// kubeconfig (lock, comments, backup beside it) and the secret store (secrets move there first,
// under the cache key of the new args, so the first kubectl run finds them).
import { dirname } from 'node:path';
import type { AdoptOutcome, ForeignUser } from '../providers/adoption.js';
import type { CredentialProvider, ProviderModule } from '../providers/types.js';
import { parseFlags } from '../exec/flags.js';
import { UsageError } from '../shared/errors.js';
import { cacheKey } from '../store/cache-key.js';
import type { SecretStore } from '../store/secret-store.js';
import { scopedSecrets } from '../store/secret-store.js';
import { writeFileAtomic } from '../store/atomic-file.js';
import {
  currentContextOf,
  displayPath,
  listNamed,
  loadKubeconfigFile,
  realWritePath,
  resolveKubeconfig,
  serializeKubeconfig,
  updateKubeconfigFiles,
  replaceEntryValue,
  type Env,
  type KubeconfigDoc,
  type UserEntry,
} from '../kubeconfig/index.js';
import { buildExecConfig } from './setup-context.js';
import { resolveCommonOptions } from '../exec/common-options.js';
import type { ExecApiVersion } from './exec-command.js';
import { unifiedDiff } from '../shared/unified-diff.js';

export interface ConvertInput {
  kubeconfig?: string;
  env: Env;
  /** Only this context's user; neither this nor `all`: the current context. */
  context?: string;
  all?: boolean;
  dryRun: boolean;
  /** The registry: each provider that has `adopt` is asked, in order. */
  modules: readonly ProviderModule[];
  /** The command the new exec entries run (`kubecred` or an absolute path). */
  execCommand: string;
  /** apiVersion for entries that had no exec block (auth-provider). */
  defaultApiVersion: ExecApiVersion;
  openSecrets(cacheDir: string): Promise<SecretStore>;
  now: Date;
}

export interface ConvertedUser {
  user: string;
  file: string;
  contexts: string[];
  outcome: 'converted' | 'refused' | 'skipped';
  /** One line: from what to what, or why not. */
  summary: string;
  notes: string[];
  kind?: string;
  key?: string;
}

export interface ConvertResult {
  users: ConvertedUser[];
  /** --dry-run: the unified diff per file ('' for none). */
  diff: string;
  written: string[];
  backups: string[];
}

const OUR_COMMAND = /(^|[\\/])(kubecred|kubectl-cred)(\.cjs|\.exe)?$/;

function foreignUser(name: string, value: UserEntry): ForeignUser {
  const ap = value['auth-provider'] as { name?: string; config?: Record<string, string> } | undefined;
  return { name, exec: value.exec as ForeignUser['exec'], authProvider: ap };
}

function backupName(path: string, now: Date): string {
  return `${path}.kubecred-backup-${now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')}`;
}

export async function convertKubeconfig(input: ConvertInput): Promise<ConvertResult> {
  if (input.context !== undefined && input.all) throw new UsageError('convert-kubeconfig takes --context NAME or --all, not both');
  const location = resolveKubeconfig({ explicit: input.kubeconfig, env: input.env });
  const pendingSecrets: Array<{ cacheDir: string; key: string; secrets: Record<string, string> }> = [];

  const adopting: Array<{ module: ProviderModule; provider: CredentialProvider<unknown> }> = [];
  for (const module of input.modules) {
    const provider = await module.load();
    if (provider.adopt) adopting.push({ module, provider });
  }

  const mutate = async (docs: KubeconfigDoc[]): Promise<ConvertedUser[]> => {
    const contexts = docs.flatMap((d) => listNamed(d, 'contexts'));
    const current = docs.map((d) => currentContextOf(d)).find((c) => c !== '') ?? '';
    let wanted: Set<string> | undefined;
    if (!input.all) {
      const name = input.context ?? current;
      if (!name) throw new UsageError('no current context: pass --context NAME or --all');
      const ctx = contexts.find((c) => c.name === name);
      if (!ctx)
        throw new UsageError(
          `context ${name} is not in ${location.files.map((f) => displayPath(f)).join(', ')}: see kubectl config get-contexts`,
        );
      wanted = new Set([ctx.value.user]);
    }
    const seen = new Set<string>();
    const results: ConvertedUser[] = [];
    for (const doc of docs) {
      for (const { name, value } of listNamed(doc, 'users')) {
        if (seen.has(name) || (wanted && !wanted.has(name))) continue;
        seen.add(name);
        const usedBy = contexts.filter((c) => c.value.user === name).map((c) => c.name);
        const base = { user: name, file: doc.path, contexts: usedBy, notes: [] as string[] };
        if (
          (value.exec?.command && OUR_COMMAND.test(value.exec.command)) ||
          (value.exec?.command === 'kubectl' && value.exec.args?.[0] === 'cred')
        ) {
          results.push({ ...base, outcome: 'skipped', summary: 'already runs kubecred' });
          continue;
        }
        if (!value.exec && !value['auth-provider']) {
          results.push({ ...base, outcome: 'skipped', summary: 'uses no credential plugin (token or certificate): nothing to convert' });
          continue;
        }
        const foreign = foreignUser(name, value);
        let found: { module: ProviderModule; outcome: AdoptOutcome } | undefined;
        for (const { module, provider } of adopting) {
          const outcome = await provider.adopt!(foreign, { env: input.env, kubeconfigDir: dirname(doc.path) });
          if (outcome) {
            found = { module, outcome };
            break;
          }
        }
        if (!found) {
          const what = value.exec
            ? `exec command ${value.exec.command}`
            : `auth-provider ${String((value['auth-provider'] as { name?: string }).name)}`;
          results.push({ ...base, outcome: 'skipped', summary: `${what} is not a tool kubecred replaces; left as it was` });
          continue;
        }
        const { module, outcome } = found;
        if (outcome.status === 'refused') {
          results.push({ ...base, outcome: 'refused', summary: `${outcome.from}: ${outcome.reason}; left as it was` });
          continue;
        }
        const old = value.exec as { apiVersion?: string; interactiveMode?: string; provideClusterInfo?: boolean } | undefined;
        const apiVersion = (old?.apiVersion as ExecApiVersion | undefined) ?? input.defaultApiVersion;
        const exec = buildExecConfig({
          command: input.execCommand,
          args: ['get-token', module.kind, ...outcome.args],
          env: outcome.env,
          apiVersion,
          interactiveMode: (old?.interactiveMode as 'Never' | 'IfAvailable' | 'Always' | undefined) ?? 'IfAvailable',
          installHint: 'kubecred is needed for this context: npm install -g kubecred (converted by kubecred convert-kubeconfig)',
          provideClusterInfo: old?.provideClusterInfo === true,
        });
        const { exec: _oldExec, 'auth-provider': _oldAp, ...rest } = value;
        replaceEntryValue(doc, 'users', name, { ...rest, exec });
        const runtimeEnv: Record<string, string | undefined> = { ...input.env };
        for (const e of outcome.env ?? []) runtimeEnv[e.name] = e.value;
        const { values } = parseFlags(module.getTokenFlags, outcome.args, runtimeEnv);
        const key = cacheKey(module.identity(values));
        if (Object.keys(outcome.secrets).length)
          pendingSecrets.push({ cacheDir: resolveCommonOptions(values, runtimeEnv).cacheDir, key, secrets: outcome.secrets });
        results.push({
          ...base,
          outcome: 'converted',
          summary: `${outcome.from} → kubecred get-token ${module.kind}`,
          notes: outcome.notes,
          kind: module.kind,
          key,
        });
      }
    }
    if (wanted && results.length === 0) throw new UsageError(`user ${[...wanted][0]} of the context is defined in no kubeconfig file`);
    return results;
  };

  if (input.dryRun) {
    const docs = location.files.map((f) => loadKubeconfigFile(f));
    const users = await mutate(docs);
    const diff = docs
      .filter((d) => d.changed)
      .map((d) =>
        unifiedDiff(d.source, serializeKubeconfig(d), { from: `${displayPath(d.path)} (now)`, to: `${displayPath(d.path)} (converted)` }),
      )
      .join('');
    return { users, diff, written: [], backups: [] };
  }

  const backups: string[] = [];
  const { result, written } = await updateKubeconfigFiles(location.files, async (docs) => {
    const users = await mutate(docs);
    // Secrets first: a kubeconfig pointing at secrets that are not there would ask for a login.
    for (const p of pendingSecrets) {
      const store = scopedSecrets(await input.openSecrets(p.cacheDir), p.key);
      for (const [name, value] of Object.entries(p.secrets)) await store.set(name, value);
    }
    for (const doc of docs.filter((d) => d.changed && d.existed)) {
      const backup = backupName(realWritePath(doc.path), input.now);
      writeFileAtomic(backup, doc.source);
      backups.push(backup);
    }
    return users;
  });
  return { users: result, diff: '', written, backups };
}

/** Lines for stdout: one per user, notes indented under it. */
export function convertReport(result: ConvertResult): string[] {
  const lines: string[] = [];
  for (const u of result.users) {
    const ctx = u.contexts.length ? ` (context ${u.contexts.join(', ')})` : '';
    const mark = u.outcome === 'converted' ? '✔' : u.outcome === 'refused' ? '✘' : '-';
    lines.push(`${mark} user "${u.user}"${ctx}: ${u.summary}`);
    for (const n of u.notes) lines.push(`    ${n}`);
  }
  const movedSecrets = result.users.some((u) => u.notes.some((n) => n.includes('secret store')));
  for (const b of result.backups) {
    lines.push(`backup of the old file: ${displayPath(b)}`);
    // The backup is the old file: the secrets that just left the kubeconfig are still in it.
    if (movedSecrets)
      lines.push(`    it still holds the secrets moved out of the kubeconfig: delete it once kubectl works (rm ${displayPath(b)})`);
  }
  return lines;
}
