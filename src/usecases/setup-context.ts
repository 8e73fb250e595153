// setup-context, shared by every provider: writes cluster + user (exec entry running kubecred) +
// context into the kubeconfig, kubectl's way (lock, merge rules, entries updated where they live).
// Everything is validated before the lock is taken, and a refusal of any entry writes nothing.

import { UsageError } from '../shared/errors.js';
import {
  currentContextOf,
  displayPath,
  getNamed,
  originDoc,
  resolveKubeconfig,
  setCurrentContext,
  updateKubeconfigFiles,
  upsertNamed,
  type ClusterEntry,
  type ContextEntry,
  type EntryOf,
  type Env,
  type ExecConfig,
  type ExecEnvVar,
  type InteractiveMode,
  type LockOptions,
  type NamedKind,
  type UpsertResult,
  type UserEntry,
} from '../kubeconfig/index.js';
import { parseExecApiVersion, type ExecApiVersion } from './exec-command.js';

export interface ExecSpec {
  command: string;
  args: string[];
  env?: ExecEnvVar[];
  /** Default client.authentication.k8s.io/v1; v1beta1 for kubectl < 1.22. */
  apiVersion?: ExecApiVersion | 'v1' | 'v1beta1';
  /** Default IfAvailable; not written for v1beta1 (see buildExecConfig). */
  interactiveMode?: InteractiveMode;
  installHint: string;
  provideClusterInfo?: boolean;
}

export interface SetupContextInput {
  /** --kubeconfig, else KUBECONFIG / ~/.kube/config from env. */
  kubeconfig?: string;
  env: Env;
  contextName: string;
  clusterName: string;
  userName: string;
  cluster: ClusterEntry;
  exec: ExecSpec;
  namespace?: string;
  /** Namespace when neither --namespace nor the existing context sets one (Keystone: the project's). */
  defaultNamespace?: string;
  use: boolean;
  force: boolean;
  lock?: LockOptions;
}

export interface EntryOutcome {
  name: string;
  result: UpsertResult;
  file: string;
}

export interface SetupContextSummary {
  /** Where new entries and current-context go (the first kubeconfig file). */
  file: string;
  /** Files actually rewritten (none when everything was unchanged). */
  written: string[];
  cluster: EntryOutcome;
  user: EntryOutcome;
  context: EntryOutcome;
  currentContext: { value: string; changed: boolean; previous: string } | undefined;
}

/**
 * Flags whose value is a secret (a password, a client or application-credential secret, a token).
 * kubecred reads secrets from the prompt, the environment or the secret store at get-token time; a
 * kubeconfig is copied around, backed up and pasted in tickets.
 */
const SECRET_FLAG = /^(?:.*-)?(?:password|secret)$|^(?:os-|id-|access-|refresh-)?token$/i;
const SECRET_ENV = /(^|_)(PASSWORD|PASSWD|SECRET|TOKEN|ACCESS_TOKEN|ID_TOKEN|REFRESH_TOKEN)$/i;

/** Throws if an exec arg or env entry would put a secret into the kubeconfig (belt and braces). */
export function assertNoSecrets(exec: Pick<ExecConfig, 'args' | 'env'>): void {
  for (const arg of exec.args ?? []) {
    const m = /^--?([^=]+)(=|$)/.exec(arg);
    if (m && SECRET_FLAG.test(m[1]!)) {
      throw new UsageError(
        `refusing to write --${m[1]} into a kubeconfig: secrets stay out of it (kubecred asks for them, or reads them from the environment or the secret store, at get-token time)`,
      );
    }
  }
  for (const v of exec.env ?? []) {
    if (SECRET_ENV.test(v.name))
      throw new UsageError(`refusing to write ${v.name} into a kubeconfig: secrets stay out of it; set it in your environment instead`);
  }
}

/**
 * The `exec` stanza. For v1beta1 `interactiveMode` is left out: kubectl >= 1.22 defaults it to
 * IfAvailable for v1beta1, and kubectl 1.20/1.21 predate the field (their lenient decoder would
 * ignore it, but we keep the entry identical to what those kubectl versions write themselves).
 */
export function buildExecConfig(spec: ExecSpec): ExecConfig {
  if (spec.command.trim() === '') throw new UsageError('the exec command is empty: pass --exec-command');
  const apiVersion = parseExecApiVersion(spec.apiVersion);
  const exec: ExecConfig = { apiVersion, command: spec.command, args: [...spec.args] };
  if (spec.env && spec.env.length > 0) exec.env = spec.env.map((e) => ({ name: e.name, value: e.value }));
  if (apiVersion.endsWith('/v1')) exec.interactiveMode = spec.interactiveMode ?? 'IfAvailable';
  if (spec.provideClusterInfo) exec.provideClusterInfo = true;
  exec.installHint = spec.installHint;
  assertNoSecrets(exec);
  return exec;
}

function checkName(what: string, name: string): void {
  if (name === '' || /[\u0000-\u001f\u007f]/.test(name))
    throw new UsageError(`${what} must be a non-empty name without control characters`);
}

export async function setupContext(input: SetupContextInput): Promise<SetupContextSummary> {
  checkName('--context', input.contextName);
  checkName('--cluster-name', input.clusterName);
  checkName('--user-name', input.userName);
  if (typeof input.cluster.server !== 'string' || input.cluster.server === '') throw new UsageError('--server is required');
  const exec = buildExecConfig(input.exec);
  const user: UserEntry = { exec };
  const location = resolveKubeconfig({ explicit: input.kubeconfig, env: input.env });

  const { result, written } = await updateKubeconfigFiles(
    location.files,
    (docs) => {
      const target = docs[0]!;
      const put = <K extends NamedKind>(kind: K, name: string, value: EntryOf<K>): EntryOutcome => {
        const doc = originDoc(docs, kind, name, target);
        return { name, result: upsertNamed(doc, kind, name, value, { force: input.force }), file: doc.path };
      };
      const contextDoc = originDoc(docs, 'contexts', input.contextName, target);
      // Without --namespace, keep the namespace the user chose later (`kubectl config set-context --current --namespace`).
      const namespace = input.namespace ?? getNamed(contextDoc, 'contexts', input.contextName)?.namespace ?? input.defaultNamespace;
      const context: ContextEntry = { cluster: input.clusterName, user: input.userName, ...(namespace ? { namespace } : {}) };
      const outcome = {
        cluster: put('clusters', input.clusterName, input.cluster),
        user: put('users', input.userName, user),
        context: put('contexts', input.contextName, context),
      };
      let currentContext: SetupContextSummary['currentContext'];
      if (input.use) {
        const previous = docs.map((d) => currentContextOf(d)).find((c) => c !== '') ?? '';
        // files[0] wins the merge, so current-context set there is the one kubectl uses.
        setCurrentContext(target, input.contextName);
        currentContext = { value: input.contextName, changed: previous !== input.contextName, previous };
      }
      return { ...outcome, currentContext };
    },
    input.lock,
  );
  return { file: location.writeTarget, written, ...result };
}

/** One line per entry, for stdout. */
export function summaryLines(summary: SetupContextSummary): string[] {
  const line = (kind: string, e: EntryOutcome): string => `${kind} "${e.name}": ${e.result} in ${displayPath(e.file)}`;
  const lines = [line('cluster', summary.cluster), line('user', summary.user), line('context', summary.context)];
  const cc = summary.currentContext;
  if (cc) {
    lines.push(
      cc.changed
        ? `current-context: "${cc.value}"${cc.previous ? ` (was "${cc.previous}")` : ''}`
        : `current-context: "${cc.value}" (unchanged)`,
    );
  } else {
    lines.push(`switch to it with: kubectl config use-context ${summary.context.name}  (or pass --use)`);
  }
  return lines;
}
