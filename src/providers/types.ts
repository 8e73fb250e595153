// The one interface through which the CLI and the use cases reach a provider (OIDC, Keystone, IAM,
// Cozystack tenant). A provider is a folder with a `module.ts` (pure data and functions: the fast
// path imports it through the registry) and a `provider.ts` that `load()` brings in on a miss.
// Providers return data; the use cases own the cache, the lock, the secret store and the kubeconfig.
import type { CredentialMaterial } from '../exec/exec-credential.js';
import type { ExecCluster } from '../exec/exec-info.js';
import type { FlagSpec, FlagValues } from '../exec/flags.js';
import type { Identity } from '../store/cache-key.js';
import type { CacheEntry } from '../store/token-cache.js';
import type { SecretStore } from '../store/secret-store.js';
import type { Infrastructure } from '../infra/types.js';
import type { ClusterEntry, ExecEnvVar } from '../kubeconfig/types.js';
import type { AdoptEnvironment, AdoptOutcome, DoctorFinding, DoctorInput, ForeignUser } from './adoption.js';

/** A provider's name: `get-token <kind>`, `setup-context <kind>`. */
export type ProviderKind = string;

/** What the registry lists: everything get-token's parse, help and setup-context need without loading the provider. */
export interface ProviderModule {
  readonly kind: ProviderKind;
  /** Completes "get a credential from …": `an OIDC provider`, `OpenStack Keystone`. */
  readonly source: string;
  /** One line for `setup-context <kind> --help`. */
  readonly setupDescription: string;
  /** Flags of `get-token <kind>` (the common ones included); their `env` variables are also compared by hit records. */
  readonly getTokenFlags: readonly FlagSpec[];
  /** The cache key input; pure. */
  identity(values: FlagValues): Identity;
  /**
   * Flags only `setup-context <kind>` takes (`--password-stdin`, `--create-application-credential`).
   * They are never written into the exec args. The get-token flags are accepted by setup-context
   * too and written into the exec args, except those whose FlagSpec says `setup: 'never'`.
   */
  readonly setupFlags: readonly FlagSpec[];
  /** Names in the secret store: `session` ones logout forgets; `config` ones it keeps (needed to log in again). */
  readonly secretNames: { readonly session: readonly string[]; readonly config: readonly string[] };
  /** setup() finds the cluster's server and CA itself (a tenant's Secret): --server is then optional. */
  readonly clusterFromProvider?: boolean;
  /** Loads the provider's code (and its packages). */
  load(): Promise<CredentialProvider<any>>;
}

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
  /**
   * Secrets shared by several identities under a name the provider picks (IAM: one dynamic client
   * registration per issuer). The scope is hashed into the store's names; never a secret itself.
   */
  sharedSecrets(scope: string): SecretStore;
  /** False when kubectl gave us no terminal: never read stdin then (a browser or device code may still work). */
  interactive: boolean;
  cluster?: ExecCluster;
  /** The cache key of this identity. */
  key: string;
  /** The kubeconfig context being served, when known (login/logout/setup). */
  contextName?: string;
  /**
   * What a person should run to log in for this identity: `kubecred login --context cms`. The use
   * case finds the context (kubectl does not say which one it runs us for) only when this is called,
   * reading the kubeconfig then: a refresh that needs no person never loads the kubeconfig code.
   */
  loginCommand(): Promise<string>;
}

export type ObtainMode =
  /** get-token: refresh without a person when possible, else log in if allowed. */
  | 'auto'
  /** login / --force-refresh: skip refresh and log in anew. */
  | 'login';

/** setup-context runs before the identity's key is known (the plan decides the args), so no `secrets`/`key` yet. */
export type SetupContext = Omit<ProviderContext, 'secrets' | 'key' | 'cluster' | 'loginCommand'>;

/** What `setup-context <kind>` hands its provider. */
export interface SetupRequest {
  contextName: string;
  /** Every flag given to setup-context (get-token and setup-only ones), parsed with the combined table; includes env-derived values. */
  values: FlagValues;
  /**
   * The get-token flags given on the command line, as `--name=value` in a stable order: the start of
   * the exec args (`get-token <kind>` is put in front by the use case). A provider may replace them.
   */
  passArgs: string[];
  /** Replace existing things of the same name (an application credential, a registration). */
  force: boolean;
  /** A terminal is there to ask on (and stdin is not used for a --…-stdin secret). */
  interactive: boolean;
  /** The secret read from stdin by the use case when the provider's setup flag asked for it (`--password-stdin`). */
  stdinSecret?: string;
}

/** What a provider's setup returns; the use case writes it (kubeconfig, secret store, warm cache entry). */
export interface SetupPlan {
  /** The get-token flags to write after `get-token <kind>`; never a secret. */
  args: string[];
  /** exec.env entries (never a secret: the use case refuses names that look like one). */
  env?: ExecEnvVar[];
  /** Stored in the secret store under the cache key of `args` + `env` before the kubeconfig is written. */
  secrets?: Record<string, string>;
  /** Secret names to delete under that key (a password remembered by an earlier setup). */
  forgetSecrets?: string[];
  /** Secrets to delete under the keys of other exec args (a replaced application credential's). */
  forgetElsewhere?: Array<{ args: string[]; env?: ExecEnvVar[]; names: string[] }>;
  /** Cluster fields the provider knows (tenant: server and CA from the Secret); command-line options win. */
  cluster?: Partial<ClusterEntry>;
  /** Default namespace when --namespace is not given and the context has none. */
  namespace?: string;
  /** A credential obtained while proving the settings: cached under the key, so kubectl needs no login. */
  warm?: ObtainedCredential;
  /** installHint of the exec entry. */
  installHint?: string;
  /** Lines for stdout after the kubeconfig summary. */
  lines?: string[];
  /** Called when writing the kubeconfig failed: undo what the provider did outside (an application credential). */
  rollback?(): Promise<void>;
  /** Called after everything is written (revoke a helper token); returns more stdout lines. */
  finish?(): Promise<string[]>;
}

/** What `whoami` and `cache list` show for an entry, from the cached credential without network. */
export interface CredentialDescription {
  /** Issuer URL, Keystone auth URL, API server: where the credential comes from. */
  source?: string;
  /** Short one-line identity for tables: `alice @ https://issuer (client kubernetes)`. */
  summary: string;
  /** Ordered fields for whoami (`user`, `email`, `groups`, `project`, `roles`, `certificate CN`, …). */
  fields: Array<[string, string | string[]]>;
  /** What a 401 from the API server most likely means for this credential, and the fix (doctor). */
  unauthorizedHint?: string;
}

export interface CredentialProvider<Settings = unknown> {
  /** Validates parsed flag values (+ env) into settings; throws UsageError with a one-line fix. */
  settings(values: FlagValues, env: Record<string, string | undefined>): Settings;
  /**
   * Returns a usable credential. `previous` is the cached entry (possibly expired) so a provider can
   * refresh with what it kept (meta, secrets) instead of asking a person.
   */
  obtain(ctx: ProviderContext, settings: Settings, previous: CacheEntry | undefined, mode: ObtainMode): Promise<ObtainedCredential>;
  /** Forgets this identity at the source (revoke tokens, delete what the options say); returns lines saying what was done. */
  logout(ctx: ProviderContext, settings: Settings, previous: CacheEntry | undefined, options: Record<string, unknown>): Promise<string[]>;
  /** Turns setup-context's flags into exec args, secrets and maybe a warm credential. */
  setup(ctx: SetupContext, request: SetupRequest): Promise<SetupPlan>;
  /** whoami / cache list lines for a cached entry. */
  describe(entry: CacheEntry): CredentialDescription;
  /**
   * convert-kubeconfig: turns another tool's kubeconfig user (kubelogin, auth-provider,
   * client-keystone-auth) into get-token args and the secrets to store; undefined when the entry
   * belongs to another provider. Optional.
   */
  adopt?(user: ForeignUser, environment: AdoptEnvironment): Promise<AdoptOutcome | undefined>;
  /** doctor: the provider's own checks (its server reachable, callback ports, a refresh token kept). Optional. */
  doctor?(input: DoctorInput): Promise<DoctorFinding[]>;
}
