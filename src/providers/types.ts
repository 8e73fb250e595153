// The one interface every credential provider implements (OIDC, Keystone, IAM, Cozystack tenant).
// Use cases (get-token, login, logout, whoami, cache) drive providers only through it.
import type { CredentialMaterial } from '../exec/exec-credential.js';
import type { ExecCluster } from '../exec/exec-info.js';
import type { FlagSpec, FlagValues } from '../exec/flags.js';
import type { Identity } from '../store/cache-key.js';
import type { CacheEntry } from '../store/token-cache.js';
import type { SecretStore } from '../store/secret-store.js';
import type { Infrastructure } from '../infra/types.js';

export type ProviderKind = 'oidc' | 'keystone' | 'iam' | 'tenant';

/** A credential fresh from the provider, before it is cached. */
export interface ObtainedCredential {
  material: CredentialMaterial;
  expiresAt: Date;
  /** Who this credential speaks for, for people (`alice`, `kubernetes-admin`). Never a secret. */
  label?: string;
  /** Non-secret data to keep with the token (e.g. discovery metadata), handed back next time. */
  meta?: Record<string, unknown>;
}

/** Everything a provider may touch while obtaining a credential. */
export interface ProviderContext {
  infra: Infrastructure;
  /** Secrets of this identity only (refresh token, password, app-credential secret). */
  secrets: SecretStore;
  /** False when kubectl gave us no terminal: never read stdin then (a browser or device code may still work). */
  interactive: boolean;
  cluster?: ExecCluster;
  /** The cache key of this identity, for messages that say `kubecred login --context …`. */
  key: string;
  /** The kubeconfig context being served, when known (login/logout/setup): for hints. */
  contextName?: string;
}

export type ObtainMode =
  /** get-token: refresh without a person when possible, else log in if allowed. */
  | 'auto'
  /** login / --force-refresh: skip refresh and log in anew. */
  | 'login';

export interface CredentialProvider<Settings = unknown> {
  readonly kind: ProviderKind;
  /** Flags of `get-token <kind>`; the same table the fast path parses. */
  readonly getTokenFlags: readonly FlagSpec[];
  /** Validates parsed flag values (+ env) into settings; throws UsageError with a one-line fix. */
  settings(values: FlagValues, env: Record<string, string | undefined>): Settings;
  /** The cache key input; must equal what the fast path computes from the same flags. */
  identity(values: FlagValues): Identity;
  /**
   * Returns a usable credential. `previous` is the cached entry (possibly expired) so a provider can
   * refresh with what it kept (meta, secrets) instead of asking a person.
   */
  obtain(ctx: ProviderContext, settings: Settings, previous: CacheEntry | undefined, mode: ObtainMode): Promise<ObtainedCredential>;
  /** Forgets this identity at the source (revoke tokens) and in the secret store; returns lines saying what was done. */
  logout(ctx: ProviderContext, settings: Settings, previous: CacheEntry | undefined, options: Record<string, unknown>): Promise<string[]>;
}
