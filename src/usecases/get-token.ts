// get-token when the fast path had no hit record (store/hit-record.ts) to answer from:
// parse → key → cache → (lock → re-read → refresh or log in → write) → ExecCredential, also kept
// as the hit record the fast path answers the next run from (fast-path-record.ts).
import type { CredentialProvider, ProviderModule } from '../providers/types.js';
import type { Infrastructure } from '../infra/types.js';
import type { ExecInfo } from '../exec/exec-info.js';
import { formatExecCredential, isFresh, marginFor } from '../exec/exec-credential.js';
import { parseFlags, type FlagValues } from '../exec/flags.js';
import { resolveCommonOptions, type CommonOptions } from '../exec/common-options.js';
import { UsageError, LoginFailedError, oneLine } from '../shared/errors.js';
import { cacheKey } from '../store/cache-key.js';
import { withKeyLockIfWritable } from '../store/unwritable.js';
import { openSecretStore } from '../store/secret-store.js';
import { openTokenStore, type TokenStore } from '../store/token-store.js';
import { clearFailure, recentFailure, recordFailure } from '../store/failure-marker.js';
import type { CacheEntry } from '../store/token-cache.js';
import { checkObtained, entryFor, providerContext } from './provider-context.js';
import { keepForFastPath } from './fast-path-record.js';

export interface GetTokenInput {
  module: ProviderModule;
  /** The registry (for finding the context in messages). */
  modules: readonly ProviderModule[];
  argv: readonly string[];
  execInfo: ExecInfo;
  /** argv as the kubecred bin got it: the answer is then kept for the fast path (fast-path-record.ts). */
  invocation?: readonly string[];
  contextName?: string;
  /**
   * A person asked for this login (`kubecred login`): the 30 s fail-fast after another login failed
   * protects kubectl's background runs from opening tabs, not a person who asks again.
   */
  explicitLogin?: boolean;
}

export interface Resolved {
  values: FlagValues;
  settings: unknown;
  key: string;
  common: CommonOptions;
}

/** Parses get-token arguments (as login, logout and cache reset do for a context), then validates them. */
export function resolveInvocation(
  module: ProviderModule,
  provider: CredentialProvider<unknown>,
  argv: readonly string[],
  env: Record<string, string | undefined>,
): Resolved {
  const { values, positionals } = parseFlags(module.getTokenFlags, argv, env);
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}: flags only, see --help`);
  const common = resolveCommonOptions(values, env);
  const settings = provider.settings(values, env);
  return { values, settings, key: cacheKey(module.identity(values)), common };
}

/** The entry when it may be served: its margin is --min-validity, or less for a short-lived credential. */
function freshEntry(read: Awaited<ReturnType<TokenStore['read']>>, nowMs: number, minValidityMs: number): CacheEntry | undefined {
  if (read.status !== 'hit' || !read.entry.credential) return undefined;
  return isFresh(Date.parse(read.entry.expiresAt), nowMs, marginOf(read.entry, minValidityMs)) ? read.entry : undefined;
}

function marginOf(entry: CacheEntry, minValidityMs: number): number {
  return marginFor(minValidityMs, Date.parse(entry.obtainedAt), Date.parse(entry.expiresAt));
}

export interface GetTokenResult {
  /** The ExecCredential JSON for stdout. */
  output: string;
  entry: CacheEntry;
  /** Whether it came from the cache or was obtained now. */
  fromCache: boolean;
}

export async function getToken(infra: Infrastructure, input: GetTokenInput): Promise<GetTokenResult> {
  const { module, execInfo } = input;
  const provider = await module.load();
  const { values, settings, key, common } = resolveInvocation(module, provider, input.argv, infra.env);
  const { log, clock } = infra;
  const startedAt = clock.now();
  // auto means "keyring if there is one": no notice when there is none.
  const tokens = await openTokenStore({
    dir: common.cacheDir,
    storage: common.storage,
    notice: common.storageAuto ? () => {} : (m) => log.info(m),
  });
  const print = (entry: CacheEntry, fromCache: boolean): GetTokenResult => {
    const marginMs = marginOf(entry, common.minValidityMs);
    const output = formatExecCredential(execInfo.apiVersion, entry.credential!, Date.parse(entry.expiresAt), marginMs);
    keepForFastPath({
      argv: input.invocation,
      env: infra.env,
      flags: module.getTokenFlags,
      common,
      storage: tokens.storage,
      key,
      entry,
      output,
      marginMs,
    });
    return { output, entry, fromCache };
  };

  let read = await tokens.read(key);
  if (read.status === 'corrupt') log.warn(`cached token ${key.slice(0, 12)}… is unusable (${read.problem}); getting a new one`);
  if (!common.forceRefresh) {
    const hit = freshEntry(read, clock.now(), common.minValidityMs);
    if (hit) {
      log.debug(`cache hit ${key.slice(0, 12)}…, valid until ${hit.expiresAt}`);
      return print(hit, true);
    }
  }
  const failed = input.explicitLogin ? undefined : recentFailure(common.cacheDir, key, clock.now());
  if (failed !== undefined)
    throw new LoginFailedError(`${failed} (a login for this identity failed moments ago; retry in 30 s${hint(input.contextName)})`);

  return withKeyLockIfWritable(
    common.cacheDir,
    key,
    async () => {
      // Another process may have refreshed or logged in while we waited for the lock.
      read = await tokens.read(key);
      const previous = read.status === 'hit' ? read.entry : undefined;
      const theirs = freshEntry(read, clock.now(), common.minValidityMs);
      if (theirs && (!common.forceRefresh || Date.parse(theirs.obtainedAt) > startedAt)) {
        log.debug('another kubecred obtained a token while we waited');
        return print(theirs, true);
      }
      const again = input.explicitLogin ? undefined : recentFailure(common.cacheDir, key, clock.now());
      if (again !== undefined)
        throw new LoginFailedError(`${again} (another kubecred's login just failed; retry in 30 s${hint(input.contextName)})`);
      // A full or read-only disk costs a warning, not the credential just obtained.
      const secretStore = await openSecretStore({ cacheDir: common.cacheDir, notice: (m) => log.info(m), bestEffortWrites: true });
      const ctx = await providerContext(
        {
          infra,
          modules: input.modules,
          cacheDir: common.cacheDir,
          key,
          interactive: execInfo.interactive,
          cluster: execInfo.cluster,
          contextName: input.contextName,
        },
        secretStore,
      );
      let obtained;
      try {
        obtained = await provider.obtain(ctx, settings, previous, common.forceRefresh ? 'login' : 'auto');
      } catch (err) {
        if (err instanceof LoginFailedError) recordFailure(common.cacheDir, key, oneLine(err), clock.now());
        throw err;
      }
      checkObtained(obtained, clock.now(), common.minValidityMs, infra);
      const entry = entryFor(module, values, obtained, clock.now());
      await tokens.write(key, entry);
      clearFailure(common.cacheDir, key);
      return print(entry, false);
    },
    { onWait: () => log.info('kubecred: another kubecred is getting a token for this identity; waiting for it…') },
    (m) => log.info(m),
  );
}

function hint(contextName: string | undefined): string {
  return contextName ? ` or run kubecred login --context ${contextName}` : ' or run kubecred login';
}
