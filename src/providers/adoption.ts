// What convert-kubeconfig and doctor ask of a provider, beside the CredentialProvider interface:
// `adopt` turns a foreign kubeconfig user (another tool's exec block or a legacy auth-provider)
// into our get-token args plus the secrets that must leave the kubeconfig; `check` says whether
// the provider's server answers (doctor). Both are optional members of a provider module.
import type { ExecEnvVar } from '../kubeconfig/types.js';
import type { HttpPort } from '../infra/types.js';

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

/** One line of `kubecred doctor`. */
export interface DoctorFinding {
  /** pass ✔, fail ✘, warn !, info · (info never fails doctor). */
  status: 'pass' | 'fail' | 'warn' | 'info';
  /** `IdP discovery`, `port 8000`, `refresh token`. */
  check: string;
  detail: string;
  /** The command (or step) that fixes a ✘ or !. */
  fix?: string;
  /** A server's Date header, for the clock-skew check the use case makes. */
  serverDate?: { what: string; date: Date };
}

export interface DoctorInput {
  values: Record<string, unknown>;
  env: Record<string, string | undefined>;
  /** This identity's secrets (read only use). */
  secret(name: string): Promise<string | undefined>;
  contextName: string;
  /** The injected HTTP port (proxy variables, CAs, timeouts). */
  http: HttpPort;
}

/** A provider's own doctor checks: its server reachable, callback ports, refresh token. */
export type ProviderDoctor = (input: DoctorInput) => Promise<DoctorFinding[]>;

/** Proxy variables as doctor shows them, user:password@ in proxy URLs scrubbed. */
export function proxySummary(env: Record<string, string | undefined>): string {
  const names = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];
  const set = names.filter((n) => env[n]).map((n) => `${n}=${env[n]!.replace(/\/\/[^@/]*@/, '//***@')}`);
  return set.length ? `proxy: ${set.join(' ')}` : 'no proxy variables set';
}

/** Returns a copy of the args with the flag spellings a foreign tool used, as `--name=value`. */
export function flagArg(name: string, value: string | true): string {
  return value === true ? `--${name}` : `--${name}=${value}`;
}
