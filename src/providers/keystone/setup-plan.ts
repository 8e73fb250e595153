// The Keystone part of `setup-context keystone`: which get-token arguments and exec.env to write
// (the use case computes the cache key from exactly these). Pure: no I/O.
import type { ExecEnvVar } from '../../kubeconfig/index.js';
import type { DomainRef, KeystoneSettings } from './settings.js';

/**
 * OS_* variables that would override what the written flags say (an ID beats a name, an
 * application credential beats a password, OS_CLOUD adds a cloud). People source openrc files
 * for other projects; the context must keep meaning what setup wrote, so these are blanked in
 * exec.env (kubectl applies exec.env over its own environment; kubecred treats empty as unset).
 */
const OVERRIDES: Record<string, { unless: string[]; vars: string[] }> = {
  username: { unless: ['user-id'], vars: ['OS_USER_ID'] },
  'user-domain-name': { unless: ['user-domain-id'], vars: ['OS_USER_DOMAIN_ID', 'OS_DOMAIN_ID'] },
  'project-name': { unless: ['project-id'], vars: ['OS_PROJECT_ID', 'OS_TENANT_ID'] },
  'project-domain-name': { unless: ['project-domain-id'], vars: ['OS_PROJECT_DOMAIN_ID', 'OS_DOMAIN_ID'] },
};
const ALWAYS_BLANK = ['OS_CLOUD'];
const BLANK_FOR_PASSWORD = ['OS_APPLICATION_CREDENTIAL_ID', 'OS_APPLICATION_CREDENTIAL_NAME'];

export interface ExecArgs {
  /** The get-token keystone flags: never a secret. */
  args: string[];
  /** exec.env blanking the OS_* variables that would override them. */
  env: ExecEnvVar[];
}

function domainArgs(prefix: 'user' | 'project', d: DomainRef): string[] {
  return d.id ? [`--${prefix}-domain-id=${d.id}`] : [`--${prefix}-domain-name=${d.name ?? 'Default'}`];
}

/** Arguments for a context that logs in with the user's password (prompted or remembered). */
export function passwordArgs(s: KeystoneSettings): string[] {
  const user = s.user!;
  const args = [`--auth-url=${s.authUrl}`];
  args.push(...('id' in user ? [`--user-id=${user.id}`] : [`--username=${user.name}`, ...domainArgs('user', user.domain)]));
  if (s.project)
    args.push(
      ...('id' in s.project
        ? [`--project-id=${s.project.id}`]
        : [`--project-name=${s.project.name}`, ...domainArgs('project', s.project.domain)]),
    );
  return [...args, ...tlsArgs(s)];
}

/** Arguments for a context that logs in with an application credential (secret in the store). */
export function applicationCredentialArgs(s: KeystoneSettings, id: string): string[] {
  return [`--auth-url=${s.authUrl}`, `--application-credential-id=${id}`, ...tlsArgs(s)];
}

function tlsArgs(s: KeystoneSettings): string[] {
  return [...(s.caFile ? [`--cacert=${s.caFile}`] : []), ...(s.insecure ? ['--insecure'] : [])];
}

function shieldEnv(flagArgs: string[]): ExecEnvVar[] {
  const written = new Set(flagArgs.map((a) => /^--([^=]+)/.exec(a)?.[1]).filter((n): n is string => !!n));
  const blank = new Set(ALWAYS_BLANK);
  if (!written.has('application-credential-id')) for (const v of BLANK_FOR_PASSWORD) blank.add(v);
  for (const [flag, rule] of Object.entries(OVERRIDES)) {
    if (written.has(flag) && !rule.unless.some((u) => written.has(u))) for (const v of rule.vars) blank.add(v);
  }
  return [...blank].sort().map((name) => ({ name, value: '' }));
}

export function execArgs(flagArgs: string[]): ExecArgs {
  return { args: flagArgs, env: shieldEnv(flagArgs) };
}

/** CloudVeneto's convention: the namespace is the project name, lowercased (CMS → cms). */
export function namespaceForProject(name: string | undefined): string | undefined {
  if (!name) return undefined;
  const ns = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return ns === '' ? undefined : ns;
}
