// The get-token options every provider shares, resolved once, the same way for get-token, login
// and cache reset (so all look in the same cache dir with the same margin).
import { UsageError } from '../shared/errors.js';
import { DEFAULT_MIN_VALIDITY_MS } from './common-flags.js';
import { booleanFlag, parseDuration, stringFlag, type FlagValues } from './flags.js';
import { defaultCacheDir } from '../store/paths.js';
import type { TokenStorage } from '../store/token-cache.js';

export interface CommonOptions {
  minValidityMs: number;
  cacheDir: string;
  storage: TokenStorage;
  forceRefresh: boolean;
  verbose: boolean;
  /** --token-cache-storage=auto (kubelogin 1.32): the keyring when reachable, else disk, silently. */
  storageAuto: boolean;
}

export const TOKEN_STORAGES: readonly TokenStorage[] = ['disk', 'keyring', 'none'];

/** `values` come from parseFlags, which has already expanded `~` in --token-cache-dir. */
export function resolveCommonOptions(values: FlagValues, env: Record<string, string | undefined>): CommonOptions {
  const minText = stringFlag(values, 'min-validity');
  const given = stringFlag(values, 'token-cache-storage') ?? 'disk';
  if (given !== 'disk' && given !== 'keyring' && given !== 'none' && given !== 'auto') {
    throw new UsageError(
      `--token-cache-storage takes disk, keyring or none (or auto: keyring when reachable), not ${JSON.stringify(given)}`,
    );
  }
  const storage = given === 'auto' ? 'keyring' : given;
  return {
    minValidityMs: minText === undefined ? DEFAULT_MIN_VALIDITY_MS : parseDuration('min-validity', minText),
    cacheDir: stringFlag(values, 'token-cache-dir') || defaultCacheDir(env),
    storage,
    forceRefresh: booleanFlag(values, 'force-refresh'),
    verbose: booleanFlag(values, 'verbose'),
    storageAuto: given === 'auto',
  };
}
