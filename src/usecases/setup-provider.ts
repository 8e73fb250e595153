// `setup-context <kind> …` for every provider: parse the generated flag table, validate the cheap
// things first, let the provider turn its flags into exec args (and secrets, a warm credential),
// then write — secrets, kubeconfig, warm cache entry — and undo the secrets when the write fails.
import { isAbsolute, resolve } from 'node:path';
import type { Infrastructure } from '../infra/types.js';
import { commonGetTokenFlags } from '../exec/common-flags.js';
import { resolveCommonOptions } from '../exec/common-options.js';
import { booleanFlag, listFlag, parseFlags, stringFlag, type FlagSpec, type FlagValues } from '../exec/flags.js';
import { UsageError } from '../shared/errors.js';
import { cacheKey } from '../store/cache-key.js';
import { scopedSecrets, type SecretStore } from '../store/secret-store.js';
import { openTokenStore } from '../store/token-store.js';
import type { ExecEnvVar } from '../kubeconfig/index.js';
import type { ProviderModule, SetupPlan } from '../providers/types.js';
import { checkNamespace, clusterEntryFromOptions, setupNames, type ClusterOptions } from './cluster-entry.js';
import { parseExecApiVersion, resolveExecCommand } from './exec-command.js';
import { execForRuntime, parseExecRuntime } from './exec-runtime.js';
import { chooseExecApiVersion, kubectlMinorVersion } from './kubectl-version.js';
import { setupContext, summaryLines } from './setup-context.js';
import { setupTable } from './setup-flags.js';
import { checkObtained, entryFor, openSetupContext } from './provider-context.js';
import { login } from './login-logout.js';

export interface SetupIo {
  env: Record<string, string | undefined>;
  /** realpath of the running launcher (process.argv[1]). */
  launcherPath: string;
  /** The Node running setup-context (process.execPath): under --runtime bun, misses re-run under it. */
  nodePath?: string;
  stdout: (line: string) => void;
  stderr: (line: string) => void;
  stdinIsTTY: boolean;
  /** Reads a secret: asked with echo off on a terminal, else all of stdin. */
  readSecret: (prompt: string) => Promise<string>;
  infra: (options: { verbose: boolean; interactive: boolean }) => Infrastructure;
}

const COMMON = new Set(commonGetTokenFlags.map((f) => f.name));

/** `--name=value` for each flag given, in table order; relative paths made absolute (kubectl runs us from anywhere). */
function serialize(specs: readonly FlagSpec[], values: FlagValues, keep: (name: string) => boolean): string[] {
  const args: string[] = [];
  for (const spec of specs) {
    const value = values[spec.name];
    if (value === undefined || !keep(spec.name)) continue;
    const path = (v: string) => (spec.path && v !== '' && !isAbsolute(v) ? resolve(v) : v);
    if (typeof value === 'boolean') args.push(value ? `--${spec.name}` : `--${spec.name}=false`);
    else if (Array.isArray(value)) for (const v of value) args.push(`--${spec.name}=${path(v)}`);
    else args.push(`--${spec.name}=${path(value)}`);
  }
  return args;
}

export function clusterOptionsFrom(values: FlagValues): ClusterOptions {
  const context = stringFlag(values, 'context');
  if (!context) throw new UsageError('--context is required (the name of the kubeconfig context to write)');
  return {
    context,
    server: stringFlag(values, 'server'),
    certificateAuthority: stringFlag(values, 'certificate-authority'),
    certificateAuthorityData: stringFlag(values, 'certificate-authority-data'),
    insecureSkipTlsVerify: booleanFlag(values, 'insecure-skip-tls-verify'),
    tlsServerName: stringFlag(values, 'tls-server-name'),
    proxyUrl: stringFlag(values, 'proxy-url'),
    clusterName: stringFlag(values, 'cluster-name'),
    userName: stringFlag(values, 'user-name'),
  };
}

function mergedEnv(env: Record<string, string | undefined>, execEnv: ExecEnvVar[] = []): Record<string, string | undefined> {
  const merged = { ...env };
  for (const { name, value } of execEnv) merged[name] = value;
  return merged;
}

/** Keeps the plan's secrets under the identity's key; returns the undo. */
async function storeSecrets(
  store: SecretStore,
  key: string,
  plan: SetupPlan,
  keyOf: (args: string[], env?: ExecEnvVar[]) => string,
): Promise<() => Promise<void>> {
  const secrets = scopedSecrets(store, key);
  const before: Array<[string, string | undefined]> = [];
  for (const [name, value] of Object.entries(plan.secrets ?? {})) {
    before.push([name, await secrets.get(name)]);
    await secrets.set(name, value);
  }
  for (const name of plan.forgetSecrets ?? []) await secrets.delete(name);
  for (const other of plan.forgetElsewhere ?? []) {
    const otherKey = keyOf(other.args, other.env);
    // Under our own key, only what this setup did not just store.
    for (const name of other.names)
      if (otherKey !== key || !(name in (plan.secrets ?? {}))) await scopedSecrets(store, otherKey).delete(name);
  }
  return async () => {
    for (const [name, value] of before)
      await (value === undefined ? secrets.delete(name) : secrets.set(name, value)).catch(() => undefined);
  };
}

export async function setupWithProvider(
  modules: readonly ProviderModule[],
  module: ProviderModule,
  argv: readonly string[],
  io: SetupIo,
): Promise<void> {
  const table = setupTable(module);
  const { values, positionals } = parseFlags(table.all, argv, {});
  if (positionals.length > 0)
    throw new UsageError(
      `unexpected argument ${JSON.stringify(positionals[0])}: flags only, see kubecred setup-context ${module.kind} --help`,
    );
  for (const spec of module.getTokenFlags) {
    if (spec.setup === 'never' && values[spec.name] !== undefined)
      throw new UsageError(spec.setupRefusal ?? `--${spec.name} is not accepted by setup-context`);
  }
  const opts = clusterOptionsFrom(values);
  // Cheap checks first: a typo in --server must not cost a login or an application credential.
  if (!module.clusterFromProvider || opts.server) clusterEntryFromOptions(opts);
  const namespace = checkNamespace(stringFlag(values, 'namespace'));
  const runtimeFor = (args: string[], env: ExecEnvVar[] | undefined, command: string) =>
    execForRuntime({
      runtime: parseExecRuntime(stringFlag(values, 'runtime')),
      command,
      args,
      env,
      launcherPath: io.launcherPath,
      nodePath: io.nodePath ?? process.execPath,
      explicitCommand: stringFlag(values, 'exec-command') !== undefined,
      pathEnv: io.env,
    });
  runtimeFor([], undefined, 'kubecred'); // a bad --runtime, or bun missing, fails before any login
  const force = booleanFlag(values, 'force');
  const kubeconfig = stringFlag(values, 'kubeconfig');
  const extra = listFlag(values, 'get-token-arg');
  const commonArgs = serialize(module.getTokenFlags, values, (n) => COMMON.has(n) && table.written.has(n));
  const passArgs = serialize(module.getTokenFlags, values, (n) => !COMMON.has(n) && table.written.has(n));

  const stdinFlag = module.setupFlags.find((f) => f.secretFromStdin && values[f.name] === true);
  const stdinSecret = stdinFlag ? (await io.readSecret(stdinFlag.secretFromStdin!)).replace(/\r?\n$/, '') : undefined;
  if (stdinFlag && !stdinSecret) throw new UsageError(`--${stdinFlag.name} read an empty secret`);
  const interactive = io.stdinIsTTY && !stdinFlag;
  const infra = io.infra({ verbose: booleanFlag(values, 'verbose'), interactive });

  const keyOf = (args: string[], env?: ExecEnvVar[]) => {
    const { values: v } = parseFlags(module.getTokenFlags, args, mergedEnv(io.env, env));
    return cacheKey(module.identity(v));
  };
  const common = resolveCommonOptions(parseFlags(module.getTokenFlags, commonArgs, io.env).values, io.env);
  const { ctx, secrets } = openSetupContext(infra, common.cacheDir, opts.context, interactive);
  const provider = await module.load();
  const plan = await provider.setup(ctx, { contextName: opts.context, values, passArgs, force, interactive, stdinSecret });

  // Parse what we are about to write exactly as get-token will: a mistake fails now, not at kubectl time.
  const execArgs = [...plan.args, ...commonArgs, ...extra];
  const execEnv = mergedEnv(io.env, plan.env);
  const parsed = parseFlags(module.getTokenFlags, execArgs, execEnv);
  if (parsed.positionals.length > 0) throw new UsageError(`--get-token-arg ${JSON.stringify(parsed.positionals[0])} is not a flag`);
  for (const spec of module.getTokenFlags) {
    if (spec.setup === 'never' && parsed.values[spec.name] !== undefined && !parsed.fromEnv.includes(spec.name)) {
      throw new UsageError(spec.setupRefusal ?? `--${spec.name} is not accepted by setup-context`);
    }
  }
  provider.settings(parsed.values, execEnv);
  const key = cacheKey(module.identity(parsed.values));
  const { cluster, warnings } = clusterEntryFromOptions(opts, plan.cluster);
  const command = resolveExecCommand({ explicit: stringFlag(values, 'exec-command'), env: io.env, launcherPath: io.launcherPath });
  const runtime = runtimeFor(['get-token', module.kind, ...execArgs], plan.env, command.command);
  const apiText = stringFlag(values, 'exec-api-version');
  const api = apiText ? { apiVersion: parseExecApiVersion(apiText), reason: undefined } : chooseExecApiVersion(kubectlMinorVersion(io.env));

  const needsStore =
    Object.keys(plan.secrets ?? {}).length > 0 || (plan.forgetSecrets ?? []).length > 0 || (plan.forgetElsewhere ?? []).length > 0;
  const store = needsStore ? await secrets.opened() : undefined;
  const undoSecrets = store ? await storeSecrets(store, key, plan, keyOf) : async () => {};
  if (store) {
    const where = store.backend === 'keyring' ? 'the keyring' : 'a 0600 file in the kubecred cache directory';
    for (const name of Object.keys(plan.secrets ?? {}))
      io.stderr(`kubecred: the ${name.replace(/_/g, ' ')} is kept in ${where}, not in the kubeconfig`);
  }
  let summary;
  try {
    for (const w of warnings) io.stderr(w);
    io.stderr(command.reason);
    if (runtime.reason) io.stderr(runtime.reason);
    if (api.reason) io.stderr(api.reason);
    summary = await setupContext({
      kubeconfig,
      env: io.env,
      ...setupNames(opts, module.kind),
      cluster,
      exec: {
        command: runtime.command,
        args: runtime.args,
        env: runtime.env,
        apiVersion: api.apiVersion,
        installHint:
          plan.installHint ?? 'kubecred gets the credentials for this cluster: install it (npm install -g kubecred) and put it on PATH',
      },
      namespace,
      defaultNamespace: plan.namespace,
      use: booleanFlag(values, 'use'),
      force,
      lock: { onLockWait: (lock) => io.stderr(`waiting for ${lock} (another kubectl or kubecred is writing the kubeconfig)…`) },
    });
  } catch (err) {
    await undoSecrets();
    await plan.rollback?.();
    throw err;
  }
  for (const line of summaryLines(summary)) io.stdout(line);
  for (const line of plan.lines ?? []) io.stdout(line);
  const resolved = resolveCommonOptions(parsed.values, execEnv);
  if (plan.warm) {
    checkObtained(plan.warm, infra.clock.now(), resolved.minValidityMs, infra);
    const tokens = await openTokenStore({ dir: resolved.cacheDir, storage: resolved.storage, notice: (m) => infra.log.info(m) });
    await tokens.write(key, entryFor(module, parsed.values, plan.warm, infra.clock.now()));
  }
  for (const line of (await plan.finish?.()) ?? []) io.stdout(line);
  if (plan.warm) {
    if (resolved.storage !== 'none') io.stdout(`token cached until ${plan.warm.expiresAt.toISOString()}`);
  } else if (booleanFlag(values, 'login')) {
    for (const line of await login(infra, { modules, contextName: opts.context, kubeconfig, interactive })) io.stdout(line);
  } else {
    io.stdout(`log in now with: kubecred login --context ${opts.context}  (or let the first kubectl command do it)`);
  }
}
