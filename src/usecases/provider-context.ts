// Builds what a provider may touch (ProviderContext), and the cache entry for what it returns:
// shared by get-token, login, logout and setup-context, so a warm entry written by setup is the
// very entry get-token would have written.
import type { Infrastructure } from '../infra/types.js';
import type { ExecCluster } from '../exec/exec-info.js';
import type { FlagValues } from '../exec/flags.js';
import { isFresh, marginFor } from '../exec/exec-credential.js';
import { KubecredError } from '../shared/errors.js';
import { sha256Hex } from '../store/sha256.js';
import { openSecretStore, scopedSecrets, type SecretStore } from '../store/secret-store.js';
import type { CacheEntry } from '../store/token-cache.js';
import type { ObtainedCredential, ProviderContext, ProviderModule, SetupContext } from '../providers/types.js';

export interface ContextInput {
  infra: Infrastructure;
  modules: readonly ProviderModule[];
  cacheDir: string;
  key: string;
  interactive: boolean;
  cluster?: ExecCluster;
  contextName?: string;
}

/** Secrets shared across identities live under `shared-<sha256(scope)>`: no scope text in file names. */
export function sharedScope(store: SecretStore, scope: string): SecretStore {
  return scopedSecrets(store, `shared-${sha256Hex(scope).slice(0, 32)}`);
}

export async function openSecrets(infra: Infrastructure, cacheDir: string): Promise<SecretStore> {
  return openSecretStore({ cacheDir, notice: (m) => infra.log.info(m) });
}

export async function providerContext(input: ContextInput, store?: SecretStore): Promise<ProviderContext> {
  const secretStore = store ?? (await openSecrets(input.infra, input.cacheDir));
  return {
    infra: input.infra,
    secrets: scopedSecrets(secretStore, input.key),
    sharedSecrets: (scope) => sharedScope(secretStore, scope),
    interactive: input.interactive,
    cluster: input.cluster,
    key: input.key,
    contextName: input.contextName,
    loginCommand: async () =>
      (await import('./context-lookup.js')).loginCommandFor(input.modules, input.key, input.contextName, input.infra.env),
  };
}

/**
 * A secret store opened on first use: setup-context must not probe the keyring (nor print its
 * notice) for a run that fails before it has anything to keep.
 */
export function lazySecrets(infra: Infrastructure, cacheDir: string): { store: SecretStore; opened: () => Promise<SecretStore> } {
  let opening: Promise<SecretStore> | undefined;
  let backend: SecretStore['backend'] | undefined;
  const opened = async () => {
    const store = await (opening ??= openSecrets(infra, cacheDir));
    backend = store.backend;
    return store;
  };
  const store: SecretStore = {
    /** Known once the store was used; 'disk' until then. */
    get backend() {
      return backend ?? 'disk';
    },
    get: async (name) => (await opened()).get(name),
    set: async (name, value) => (await opened()).set(name, value),
    delete: async (name) => (await opened()).delete(name),
  };
  return { store, opened };
}

export function openSetupContext(
  infra: Infrastructure,
  cacheDir: string,
  contextName: string,
  interactive: boolean,
): { ctx: SetupContext; secrets: ReturnType<typeof lazySecrets> } {
  const secrets = lazySecrets(infra, cacheDir);
  return { ctx: { infra, sharedSecrets: (scope) => sharedScope(secrets.store, scope), interactive, contextName }, secrets };
}

/**
 * Only a credential already expired on arrival is an error. One that lives less than twice
 * --min-validity is served with a smaller margin (see marginFor), said once under -v.
 */
export function checkObtained(obtained: ObtainedCredential, nowMs: number, minValidityMs: number, infra: Infrastructure): void {
  const expiresAtMs = obtained.expiresAt.getTime();
  if (!isFresh(expiresAtMs, nowMs, 0)) {
    throw new KubecredError(
      `the provider handed out a credential that expired at ${obtained.expiresAt.toISOString()}: check this machine's clock, or the provider's token lifetime`,
    );
  }
  const margin = marginFor(minValidityMs, nowMs, expiresAtMs);
  if (margin !== minValidityMs) {
    infra.log.debug(
      `the new credential lives only ${Math.round((expiresAtMs - nowMs) / 1000)}s, less than twice --min-validity (${minValidityMs / 1000}s): using a margin of ${margin / 1000}s for it`,
    );
  }
}

/** The cache entry for a credential just obtained (get-token, login, the warm entry of setup-context). */
export function entryFor(module: ProviderModule, values: FlagValues, obtained: ObtainedCredential, nowMs: number): CacheEntry {
  return {
    v: 1,
    provider: module.kind,
    identity: module.identity(values),
    label: obtained.label,
    storage: 'disk',
    expiresAt: obtained.expiresAt.toISOString(),
    obtainedAt: new Date(nowMs).toISOString(),
    credential: obtained.material,
    meta: obtained.meta,
  };
}
