// `login --context` (log in now, warm the cache, say who you are) and `logout --context` (revoke
// at the source where possible, forget tokens and secrets, say what was done).
import type { Infrastructure } from '../infra/types.js';
import { EXEC_API_V1 } from '../exec/exec-info.js';
import { loadProvider } from '../providers/registry.js';
import { getToken, resolveInvocation } from './get-token.js';
import { resolveContext } from './resolve-context.js';
import { openTokenStore } from '../store/token-store.js';
import { openSecretStore, scopedSecrets } from '../store/secret-store.js';

/**
 * What logout forgets: the session (refresh token, remembered password). Configuration secrets — a
 * confidential client's secret, a Keystone application credential's secret — stay, because without
 * them no login is possible until setup-context runs again; a provider removes them itself when asked
 * (e.g. `--delete-application-credential`).
 */
export const SESSION_SECRET_NAMES = ['refresh_token', 'password'] as const;
import { describeIdentity } from './cache.js';
import { updateClusterCa } from './cluster-ca.js';

export interface ContextCommandInput {
  kubeconfig?: string;
  contextName: string;
}

export async function login(infra: Infrastructure, input: ContextCommandInput & { interactive: boolean }): Promise<string> {
  const ctx = resolveContext(input.kubeconfig, input.contextName, infra.env);
  const provider = await loadProvider(ctx.invocation.kind);
  const result = await getToken(
    { ...infra, env: ctx.invocation.env },
    {
      provider,
      argv: [...ctx.invocation.argv, '--force-refresh'],
      execInfo: { apiVersion: EXEC_API_V1, interactive: input.interactive, absent: true },
      contextName: input.contextName,
      explicitLogin: true,
    },
  );
  const who = describeIdentity(result.entry.identity, result.entry.label);
  const line = `logged in to context ${input.contextName} as ${who}; token valid until ${result.entry.expiresAt}`;
  const caLine = await updateClusterCa({ kubeconfig: input.kubeconfig, env: infra.env, contextName: input.contextName }, result.entry.meta);
  return caLine ? `${line}\n${caLine}` : line;
}

export async function logout(
  infra: Infrastructure,
  input: ContextCommandInput & { options: Record<string, unknown> },
): Promise<string[]> {
  const ctx = resolveContext(input.kubeconfig, input.contextName, infra.env);
  const provider = await loadProvider(ctx.invocation.kind);
  const { settings } = resolveInvocation(provider, ctx.invocation.argv, ctx.invocation.env);
  const tokens = await openTokenStore({ dir: ctx.common.cacheDir, storage: ctx.common.storage, notice: (m) => infra.log.info(m) });
  const read = await tokens.read(ctx.key);
  const previous = read.status === 'hit' ? read.entry : undefined;
  const secretStore = await openSecretStore({ cacheDir: ctx.common.cacheDir, notice: (m) => infra.log.info(m) });
  const secrets = scopedSecrets(secretStore, ctx.key);
  const lines = await provider.logout(
    {
      infra: { ...infra, env: ctx.invocation.env },
      secrets,
      interactive: infra.prompt.available,
      key: ctx.key,
      contextName: input.contextName,
    },
    settings,
    previous,
    input.options,
  );
  if (await tokens.remove(ctx.key)) lines.push(`removed the cached token of context ${input.contextName}`);
  const removed: string[] = [];
  for (const name of SESSION_SECRET_NAMES) if (await secrets.delete(name)) removed.push(name.replace('_', ' '));
  if (removed.length > 0) lines.push(`removed the stored ${removed.join(' and ')} (${secretStore.backend === 'keyring' ? 'keyring' : 'secret files'})`);
  if (lines.length === 0) lines.push(`context ${input.contextName} had nothing cached or stored; nothing to do`);
  return lines;
}
