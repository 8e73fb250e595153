// context name → kubeconfig user → get-token invocation → provider module, cache key and the
// context's own cache options, without loading the provider's code.
import { parseFlags, type FlagValues } from '../exec/flags.js';
import { resolveCommonOptions, type CommonOptions } from '../exec/common-options.js';
import { UsageError } from '../shared/errors.js';
import { cacheKey } from '../store/cache-key.js';
import { findContext, resolveKubeconfig } from '../kubeconfig/index.js';
import type { ProviderModule } from '../providers/types.js';
import { invocationFromExec, type Invocation } from './context-invocation.js';

export interface ContextIdentity {
  contextName: string;
  module: ProviderModule;
  invocation: Invocation;
  values: FlagValues;
  key: string;
  common: CommonOptions;
}

export function resolveContext(
  modules: readonly ProviderModule[],
  kubeconfig: string | undefined,
  contextName: string,
  env: Record<string, string | undefined>,
): ContextIdentity {
  const { files } = resolveKubeconfig({ explicit: kubeconfig, env });
  const found = findContext(files, contextName);
  const invocation = invocationFromExec(contextName, found.user?.exec, env);
  const module = modules.find((m) => m.kind === invocation.kind);
  if (!module)
    throw new UsageError(
      `context ${contextName} uses unknown provider ${invocation.kind}: use one of ${modules.map((m) => m.kind).join(', ')}`,
    );
  const { values } = parseFlags(module.getTokenFlags, invocation.argv, invocation.env);
  return {
    contextName,
    module,
    invocation,
    values,
    key: cacheKey(module.identity(values)),
    common: resolveCommonOptions(values, invocation.env),
  };
}
