// The cache-hit path: answer `get-token <provider> …` from the token cache, or say "miss" so the
// full CLI takes over. Runs on every kubectl command, so it imports only node built-ins and leaf
// modules (bundled into dist/kubecred.cjs); anything unusual is left to the full CLI, which also
// produces the proper error messages.
import { parseFlags, parseDuration, stringFlag } from '../exec/flags.js';
import { parseExecInfo } from '../exec/exec-info.js';
import { formatExecCredential, isFresh } from '../exec/exec-credential.js';
import { DEFAULT_MIN_VALIDITY_MS } from '../exec/common-flags.js';
import { cacheKey } from '../store/cache-key.js';
import { defaultCacheDir } from '../store/paths.js';
import { readEntry } from '../store/token-cache.js';
import { identityRules } from '../providers/identities.js';
import { withInferredKind } from '../providers/infer-kind.js';

export interface FastPathInput {
  argv: readonly string[];
  env: Record<string, string | undefined>;
  nowMs: number;
  /** Asked only when KUBERNETES_EXEC_INFO leaves it open. */
  stdinIsTTY: () => boolean;
}

/** Returns the ExecCredential JSON to print, or undefined for "let the full CLI handle it". */
export function answerFromCache(input: FastPathInput): string | undefined {
  const [command, kind, ...rest] = withInferredKind(input.argv, Object.entries(identityRules).map(([k, r]) => ({ kind: k, flags: r.flags })));
  if (command !== 'get-token' || kind === undefined) return undefined;
  const rule = identityRules[kind];
  if (!rule) return undefined;
  try {
    const { values, positionals } = parseFlags(rule.flags, rest, input.env);
    if (positionals.length > 0 || values['force-refresh'] === true || values.verbose === true) return undefined;
    const storage = stringFlag(values, 'token-cache-storage') ?? 'disk';
    // auto: the keyring when reachable, else disk; a disk entry answers here either way.
    if (storage !== 'disk' && storage !== 'auto') return undefined;
    const minValidityText = stringFlag(values, 'min-validity');
    const minValidityMs = minValidityText === undefined ? DEFAULT_MIN_VALIDITY_MS : parseDuration('min-validity', minValidityText);
    const info = parseExecInfo(input.env.KUBERNETES_EXEC_INFO, input.stdinIsTTY);
    const dir = stringFlag(values, 'token-cache-dir') ?? defaultCacheDir(input.env);
    const read = readEntry(dir, cacheKey(rule.identity(values)));
    if (read.status !== 'hit' || read.entry.storage !== 'disk' || !read.entry.credential) return undefined;
    const expiresAtMs = Date.parse(read.entry.expiresAt);
    if (!isFresh(expiresAtMs, input.nowMs, minValidityMs)) return undefined;
    return formatExecCredential(info.apiVersion, read.entry.credential, expiresAtMs, minValidityMs);
  } catch {
    return undefined;
  }
}
