// The cache-hit path: answer `get-token <provider> …` from the token cache, or say "miss" so the
// full CLI takes over. Runs on every kubectl command, so it imports only node built-ins and leaf
// modules (bundled into dist/kubecred.cjs); anything unusual is left to the full CLI, which also
// produces the proper error messages.
import { parseFlags } from '../exec/flags.js';
import { parseExecInfo } from '../exec/exec-info.js';
import { formatExecCredential, isFresh, marginFor } from '../exec/exec-credential.js';
import { resolveCommonOptions } from '../exec/common-options.js';
import { cacheKey } from '../store/cache-key.js';
import { readEntry } from '../store/token-cache.js';
import type { ProviderModule } from '../providers/types.js';
import { withInferredKind } from '../providers/infer-kind.js';

export interface FastPathInput {
  argv: readonly string[];
  env: Record<string, string | undefined>;
  nowMs: number;
  /** The registry's modules (pure parts only: flags and identity). */
  modules: readonly ProviderModule[];
}

/** Returns the ExecCredential JSON to print, or undefined for "let the full CLI handle it". */
export function answerFromCache(input: FastPathInput): string | undefined {
  const [command, kind, ...rest] = withInferredKind(
    input.argv,
    input.modules.map((m) => ({ kind: m.kind, flags: m.getTokenFlags })),
  );
  if (command !== 'get-token' || kind === undefined) return undefined;
  const module = input.modules.find((m) => m.kind === kind);
  if (!module) return undefined;
  try {
    const { values, positionals } = parseFlags(module.getTokenFlags, rest, input.env);
    if (positionals.length > 0) return undefined;
    const common = resolveCommonOptions(values, input.env);
    if (common.forceRefresh || common.verbose || (common.storage !== 'disk' && !common.storageAuto)) return undefined;
    // A hit never reads stdin, so whether it is a terminal does not matter here (and asking would
    // load node:tty, node:net and the streams: ~7 ms).
    const info = parseExecInfo(input.env.KUBERNETES_EXEC_INFO, false);
    const read = readEntry(common.cacheDir, cacheKey(module.identity(values)));
    if (read.status !== 'hit' || read.entry.storage !== 'disk' || !read.entry.credential) return undefined;
    const expiresAtMs = Date.parse(read.entry.expiresAt);
    const marginMs = marginFor(common.minValidityMs, Date.parse(read.entry.obtainedAt), expiresAtMs);
    if (!isFresh(expiresAtMs, input.nowMs, marginMs)) return undefined;
    return formatExecCredential(info.apiVersion, read.entry.credential, expiresAtMs, marginMs);
  } catch {
    return undefined;
  }
}
