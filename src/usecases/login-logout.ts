// `login --context` (log in now, warm the cache, say who you are) and `logout --context` (revoke
// at the source where possible, forget tokens and session secrets, say what was done).
import type { Infrastructure } from '../infra/types.js';
import { EXEC_API_V1 } from '../exec/exec-info.js';
import type { ProviderModule } from '../providers/types.js';
import { openTokenStore } from '../store/token-store.js';
import { getToken, resolveInvocation } from './get-token.js';
import { resolveContext } from './resolve-context.js';
import { openSecrets, providerContext } from './provider-context.js';
import { updateClusterCa } from './cluster-ca.js';

export interface ContextCommandInput {
  modules: readonly ProviderModule[];
  kubeconfig?: string;
  contextName: string;
}

/** Logs in anew; returns the "logged in" line and the provider's description of the credential. */
export async function login(infra: Infrastructure, input: ContextCommandInput & { interactive: boolean }): Promise<string[]> {
  const ctx = resolveContext(input.modules, input.kubeconfig, input.contextName, infra.env);
  const result = await getToken(
    { ...infra, env: ctx.invocation.env },
    {
      module: ctx.module,
      modules: input.modules,
      argv: [...ctx.invocation.argv, '--force-refresh'],
      execInfo: { apiVersion: EXEC_API_V1, interactive: input.interactive, absent: true },
      contextName: input.contextName,
      explicitLogin: true,
    },
  );
  const description = (await ctx.module.load()).describe(result.entry);
  // A provider that knows the cluster's CA (tenant: from the Secret) fixes a rotated one in the kubeconfig.
  const caLine = await updateClusterCa({ kubeconfig: input.kubeconfig, env: infra.env, contextName: input.contextName }, result.entry.meta);
  return [
    `logged in to context ${input.contextName} as ${description.summary}; token valid until ${result.entry.expiresAt}`,
    ...description.fields.map(([name, value]) => `  ${name}: ${Array.isArray(value) ? value.join(', ') : value}`),
    ...(caLine ? [caLine] : []),
  ];
}

/**
 * What logout forgets: the session (module.secretNames.session: a refresh token, a remembered
 * password). Configuration secrets — a confidential client's secret, a Keystone application
 * credential's secret — stay, because without them no login is possible until setup-context runs
 * again; a provider removes them itself when asked (e.g. `--delete-application-credential`).
 */
export async function logout(infra: Infrastructure, input: ContextCommandInput & { options: Record<string, unknown> }): Promise<string[]> {
  const ctx = resolveContext(input.modules, input.kubeconfig, input.contextName, infra.env);
  const provider = await ctx.module.load();
  const { settings } = resolveInvocation(ctx.module, provider, ctx.invocation.argv, ctx.invocation.env);
  const tokens = await openTokenStore({ dir: ctx.common.cacheDir, storage: ctx.common.storage, notice: (m) => infra.log.info(m) });
  const read = await tokens.read(ctx.key);
  const previous = read.status === 'hit' ? read.entry : undefined;
  const contextInfra = { ...infra, env: ctx.invocation.env };
  const store = await openSecrets(contextInfra, ctx.common.cacheDir);
  const providerCtx = await providerContext(
    {
      infra: contextInfra,
      modules: input.modules,
      cacheDir: ctx.common.cacheDir,
      key: ctx.key,
      interactive: infra.prompt.available,
      contextName: input.contextName,
    },
    store,
  );
  const lines = await provider.logout(providerCtx, settings, previous, input.options);
  if (await tokens.remove(ctx.key)) lines.push(`removed the cached token of context ${input.contextName}`);
  const removed: string[] = [];
  for (const name of ctx.module.secretNames.session) if (await providerCtx.secrets.delete(name)) removed.push(name.replace(/_/g, ' '));
  if (removed.length > 0)
    lines.push(`removed the stored ${removed.join(' and ')} (${store.backend === 'keyring' ? 'keyring' : 'secret files'})`);
  if (lines.length === 0) lines.push(`context ${input.contextName} had nothing cached or stored; nothing to do`);
  return lines;
}
