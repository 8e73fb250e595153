// kubectl does not tell an exec plugin which context it serves. When a person must act, the use
// case looks the context up (the one whose exec entry reaches this cache key) so the message can
// say `kubecred login --context cms`. Runs only on that error path; any problem means no name.
import { parseFlags } from '../exec/flags.js';
import { cacheKey } from '../store/cache-key.js';
import { readMerged, resolveKubeconfig } from '../kubeconfig/index.js';
import type { ProviderModule } from '../providers/types.js';
import { invocationFromExec, type ExecBlock } from './context-invocation.js';

export function contextsWithKey(modules: readonly ProviderModule[], key: string, env: Record<string, string | undefined>): string[] {
  try {
    const merged = readMerged(resolveKubeconfig({ env }).files);
    const found: string[] = [];
    for (const ctx of merged.contexts) {
      const exec = merged.users.find((u) => u.name === ctx.value.user)?.value.exec as ExecBlock | undefined;
      if (!exec) continue;
      try {
        const inv = invocationFromExec(ctx.name, exec, env);
        const module = modules.find((m) => m.kind === inv.kind);
        if (module && cacheKey(module.identity(parseFlags(module.getTokenFlags, inv.argv, inv.env).values)) === key) found.push(ctx.name);
      } catch {
        // not ours, or unparsable: skip
      }
    }
    return found;
  } catch {
    return [];
  }
}

/** `kubecred login --context cms` (or a generic form when no context reaches the key). */
export function loginCommandFor(
  modules: readonly ProviderModule[],
  key: string,
  contextName: string | undefined,
  env: Record<string, string | undefined>,
): string {
  const name = contextName ?? contextsWithKey(modules, key, env)[0];
  return name ? `kubecred login --context ${name}` : 'kubecred login --context <your context>';
}
