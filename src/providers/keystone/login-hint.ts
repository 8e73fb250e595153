// kubectl does not tell an exec plugin which context it serves; when a person must act, look the
// context up in the kubeconfig (the one whose exec entry reaches our cache key) so the message can
// say `kubecred login --context cms`. Runs only on that error path; any problem means no name.
import { identityRules } from '../identities.js';
import { parseFlags } from '../../exec/flags.js';
import { cacheKey } from '../../store/cache-key.js';
import { invocationFromExec } from '../../usecases/context-invocation.js';
import { readMerged, resolveKubeconfig } from '../../kubeconfig/index.js';

export function contextsWithKey(key: string, env: Record<string, string | undefined>): string[] {
  const rule = identityRules.keystone!;
  try {
    const merged = readMerged(resolveKubeconfig({ env }).files);
    const found: string[] = [];
    for (const ctx of merged.contexts) {
      const user = merged.users.find((u) => u.name === ctx.value.user);
      const exec = user?.value.exec as Parameters<typeof invocationFromExec>[1];
      if (!exec) continue;
      try {
        const inv = invocationFromExec(ctx.name, exec, env);
        if (inv.kind !== 'keystone') continue;
        if (cacheKey(rule.identity(parseFlags(rule.flags, inv.argv, inv.env).values)) === key) found.push(ctx.name);
      } catch {
        // not ours, or unparsable: skip
      }
    }
    return found;
  } catch {
    return [];
  }
}

/** `kubecred login --context cms` (or a generic form when the context is unknown). */
export function loginHint(key: string, contextName: string | undefined, env: Record<string, string | undefined>): string {
  const name = contextName ?? contextsWithKey(key, env)[0];
  return name ? `kubecred login --context ${name}` : 'kubecred login --context <your context>';
}
