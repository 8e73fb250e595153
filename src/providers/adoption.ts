// What convert-kubeconfig and doctor ask of a provider, beside the CredentialProvider interface:
// `adopt` turns a foreign kubeconfig user (another tool's exec block or a legacy auth-provider)
// into our get-token args plus the secrets that must leave the kubeconfig; `check` says whether
// the provider's server answers (doctor). Both are optional members of a provider module.
import type { ExecEnvVar } from '../kubeconfig/types.js';
import type { FlagSpec, FlagValues } from '../exec/flags.js';
import type { Identity } from '../store/cache-key.js';

/** A kubeconfig user as another tool left it. */
export interface ForeignUser {
  /** The users[] entry name. */
  name: string;
  exec?: { command?: string; args?: string[]; env?: ExecEnvVar[] | null; apiVersion?: string };
  authProvider?: { name?: string; config?: Record<string, string> };
}

export type AdoptOutcome =
  | {
      status: 'adopted';
      /** What the entry ran before, for the report (`kubelogin get-token`, `auth-provider oidc`). */
      from: string;
      /** get-token flags after `get-token <kind>`; never a secret. */
      args: string[];
      /** exec.env entries to keep (never a secret). */
      env?: ExecEnvVar[];
      /** Stored under the cache key of `args` + `env` before the kubeconfig is rewritten. */
      secrets: Record<string, string>;
      /** Lines for the report: what moved where, what was dropped and why. */
      notes: string[];
    }
  /** The tool is ours to convert, but something in the entry is not understood: left as it was. */
  | { status: 'refused'; from: string; reason: string };

export interface AdoptEnvironment {
  env: Record<string, string | undefined>;
  /** Directory of the kubeconfig file: kubectl reads relative paths in it relative to this. */
  kubeconfigDir?: string;
}

/** A provider's adopter: undefined when the user entry belongs to another provider or tool. */
export type Adopter = (user: ForeignUser, environment: AdoptEnvironment) => AdoptOutcome | undefined;

/** One server a provider depends on, as doctor reports it. */
export interface ReachabilityReport {
  /** `IdP discovery`, `Keystone`. */
  what: string;
  url: string;
  ok: boolean;
  /** HTTP status when an answer came. */
  status?: number;
  /** The server's Date header, for the clock-skew check. */
  date?: Date;
  /** One line: what failed and how to fix it. */
  problem?: string;
  /** Proxy variables that applied to the request (names and values: not secrets in URLs we print? scrubbed). */
  proxy?: string;
}

export type ReachabilityCheck = (values: Record<string, unknown>, env: Record<string, string | undefined>) => Promise<ReachabilityReport>;

/** Returns a copy of the args with the flag spellings a foreign tool used, as `--name=value`. */
export function flagArg(name: string, value: string | true): string {
  return value === true ? `--${name}` : `--${name}=${value}`;
}

/** What convert-kubeconfig needs of a provider module that can adopt foreign entries. */
export interface AdoptingProvider {
  kind: string;
  adopt: Adopter;
  getTokenFlags: readonly FlagSpec[];
  identity(values: FlagValues): Identity;
}
