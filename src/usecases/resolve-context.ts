// context name → kubeconfig user → get-token invocation → cache key (and the context's own
// cache options), without loading the provider's heavy code.
import { identityRules } from '../providers/identities.js';
import { parseFlags, UsageError } from '../exec/flags.js';
import { cacheKey } from '../store/cache-key.js';
import { resolveCommonOptions, type CommonOptions } from './common-options.js';
import { invocationFromExec, type Invocation } from './context-invocation.js';
import { findContext, resolveKubeconfig } from '../kubeconfig/index.js';

export interface ContextIdentity {
  contextName: string;
  invocation: Invocation;
  key: string;
  common: CommonOptions;
}

export function resolveContext(kubeconfig: string | undefined, contextName: string, env: Record<string, string | undefined>): ContextIdentity {
  const { files } = resolveKubeconfig({ explicit: kubeconfig, env });
  const found = findContext(files, contextName);
  const invocation = invocationFromExec(contextName, found.user?.exec, env);
  const rule = identityRules[invocation.kind];
  if (!rule) throw new UsageError(`context ${contextName} uses unknown provider ${invocation.kind}`);
  const { values } = parseFlags(rule.flags, invocation.argv, invocation.env);
  return {
    contextName,
    invocation,
    key: cacheKey(rule.identity(values)),
    common: resolveCommonOptions(values, invocation.env),
  };
}
