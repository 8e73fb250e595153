// get-token keystone flags (+ OS_* env, + clouds.yaml with --os-cloud) → validated settings.
// Flags win over the cloud entry, as in the `openstack` CLI. Secrets found in clouds.yaml or
// secure.yaml are kept here for obtain(); the environment's secrets are read by the provider.
import { UsageError } from '../../shared/errors.js';
import { booleanFlag, stringFlag, type FlagValues } from '../../exec/flags.js';
import { loadCloud, type CloudEntry } from './clouds.js';

export interface DomainRef {
  id?: string;
  name?: string;
}

export type UserRef = { id: string } | { name: string; domain: DomainRef };
export type ProjectRef = { id: string } | { name: string; domain: DomainRef };
export type AppCredRef = { id: string } | { name: string; user: UserRef };

export interface KeystoneSettings {
  /** The v3 endpoint, without trailing slash: https://keystone.example:5000/v3 */
  authUrl: string;
  user?: UserRef;
  project?: ProjectRef;
  applicationCredential?: AppCredRef;
  caFile?: string;
  /** TLS client certificate and key (PEM files) for Keystone (client-keystone-auth --cert/--key). */
  clientCert?: { certFile: string; keyFile: string };
  /** No project: a domain-scoped token (client-keystone-auth with OS_DOMAIN_NAME only). */
  domainScope?: DomainRef;
  insecure: boolean;
  /** The --os-cloud entry, when one was read. */
  cloud?: { name: string; file: string; password?: string; applicationCredentialSecret?: string };
}

const REFUSED_SECRET_FLAGS: Record<string, string> = {
  password:
    'OS_PASSWORD, the prompt, or kubecred setup-context keystone --remember-password (kubecred convert-kubeconfig moves a password out of an existing kubeconfig)',
  'application-credential-secret': 'OS_APPLICATION_CREDENTIAL_SECRET or kubecred setup-context keystone --create-application-credential',
};

/**
 * Keystone wants the v3 API; clouds.yaml files and client-keystone-auth users often give the bare
 * endpoint (`https://keystone:5000`). Adds `/v3` when the path does not end in a version.
 */
export function normalizeAuthUrl(text: string, flag = '--auth-url'): string {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new UsageError(`${flag} ${JSON.stringify(text)} is not a URL (e.g. https://keystone.example:5000/v3)`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError(`${flag} must be an https:// (or http://) URL`);
  if (url.username || url.password) throw new UsageError(`${flag} must not contain a user name or password`);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = /\/v3$/.test(path) ? path : `${path}/v3`;
  url.search = '';
  url.hash = '';
  return url.toString().replace(/\/+$/, '');
}

function domainRef(id: string | undefined, name: string | undefined): DomainRef | undefined {
  if (id) return { id };
  if (name) return { name };
  return undefined;
}

export function keystoneSettings(values: FlagValues, env: Record<string, string | undefined>): KeystoneSettings {
  for (const [flag, instead] of Object.entries(REFUSED_SECRET_FLAGS)) {
    if (values[flag] !== undefined) {
      throw new UsageError(`--${flag} is refused: a secret in argv is readable by every process on the machine; use ${instead}`);
    }
  }
  const flag = (n: string) => stringFlag(values, n) || undefined;
  const cloudName = flag('os-cloud');
  const cloud: Partial<CloudEntry> = cloudName ? loadCloud(cloudName, env) : {};
  const pick = (n: string, fromCloud: string | undefined) => flag(n) ?? fromCloud;

  const authUrlText = pick('auth-url', cloud.authUrl);
  if (!authUrlText)
    throw new UsageError('Keystone URL missing: pass --auth-url https://keystone.example:5000/v3 (or set OS_AUTH_URL, or --os-cloud)');
  const authUrl = normalizeAuthUrl(authUrlText, flag('auth-url') ? '--auth-url' : `auth_url of cloud ${cloudName}`);

  // A flag (or OS_* variable) naming one thing replaces the cloud's way of naming it.
  const userId = flag('user-id') ?? (flag('username') ? undefined : cloud.userId);
  const username = flag('username') ?? (flag('user-id') ? undefined : cloud.username);
  const userDomain = domainRef(flag('user-domain-id') ?? flag('domain-id'), flag('user-domain-name') ?? flag('domain-name')) ??
    domainRef(cloud.userDomainId ?? cloud.domainId, cloud.userDomainName ?? cloud.domainName) ??
    domainRef(undefined, flag('default-domain')) ?? { name: 'Default' };
  const projectDomain =
    domainRef(flag('project-domain-id') ?? flag('domain-id'), flag('project-domain-name') ?? flag('domain-name')) ??
    domainRef(cloud.projectDomainId ?? cloud.domainId, cloud.projectDomainName ?? cloud.domainName) ??
    userDomain;
  const projectId = flag('project-id') ?? (flag('project-name') ? undefined : cloud.projectId);
  const projectName = flag('project-name') ?? (flag('project-id') ? undefined : cloud.projectName);
  const appCredId = flag('application-credential-id') ?? (flag('application-credential-name') ? undefined : cloud.applicationCredentialId);
  const appCredName =
    flag('application-credential-name') ?? (flag('application-credential-id') ? undefined : cloud.applicationCredentialName);

  const user: UserRef | undefined = userId ? { id: userId } : username ? { name: username, domain: userDomain } : undefined;
  const settings: KeystoneSettings = {
    authUrl,
    user,
    caFile: pick('cacert', cloud.cacert),
    clientCert: clientCertOf(flag('cert'), flag('key')),
    insecure: booleanFlag(values, 'insecure') || cloud.insecure === true,
    cloud: cloudName
      ? { name: cloudName, file: cloud.file!, password: cloud.password, applicationCredentialSecret: cloud.applicationCredentialSecret }
      : undefined,
  };
  if (appCredId) {
    settings.applicationCredential = { id: appCredId };
  } else if (appCredName) {
    if (!user) throw new UsageError('--application-credential-name needs the owner: add --username (and --user-domain-name) or --user-id');
    settings.applicationCredential = { name: appCredName, user };
  } else {
    if (!user) throw new UsageError('who logs in? pass --username (with --user-domain-name) or --user-id, or --application-credential-id');
    if (projectId) settings.project = { id: projectId };
    else if (projectName) settings.project = { name: projectName, domain: projectDomain };
    else settings.domainScope = domainRef(flag('domain-id'), flag('domain-name'));
  }
  return settings;
}

/** What a password token is scoped to: the project, else the domain of a domain-scoped token. */
export function scopeOf(s: KeystoneSettings): import('./authenticate.js').Scope | undefined {
  if (s.project) return s.project;
  return s.domainScope ? { domain: s.domainScope, domainOnly: true } : undefined;
}

function clientCertOf(cert: string | undefined, key: string | undefined): KeystoneSettings['clientCert'] {
  if (!cert && !key) return undefined;
  if (!cert || !key) throw new UsageError('--cert and --key go together (OS_CERT and OS_KEY): the client certificate and its key');
  return { certFile: cert, keyFile: key };
}

/** `alice (domain cloudveneto)`, `user 1a2b…`: for messages. */
export function describeUser(user: UserRef | undefined): string {
  if (!user) return 'the application credential owner';
  if ('id' in user) return `user ID ${user.id}`;
  return `user ${user.name} in domain ${user.domain.name ?? `ID ${user.domain.id}`}`;
}

export function describeProject(project: ProjectRef): string {
  if ('id' in project) return `project ID ${project.id}`;
  return `project ${project.name} in domain ${project.domain.name ?? `ID ${project.domain.id}`}`;
}
