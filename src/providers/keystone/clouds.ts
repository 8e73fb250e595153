// clouds.yaml / secure.yaml, found where openstacksdk (and so the `openstack` CLI) looks, so that
// `--os-cloud NAME` means what it means to the user's other OpenStack tools. secure.yaml holds the
// secrets of the same clouds and is merged over clouds.yaml, key by key.
import { UsageError } from '../../shared/errors.js';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { parse } from 'yaml';

/** The fields of one cloud that kubecred uses (secrets included: never print this object). */
export interface CloudEntry {
  file: string;
  authType?: string;
  authUrl?: string;
  username?: string;
  userId?: string;
  userDomainName?: string;
  userDomainId?: string;
  projectName?: string;
  projectId?: string;
  projectDomainName?: string;
  projectDomainId?: string;
  domainName?: string;
  domainId?: string;
  password?: string;
  applicationCredentialId?: string;
  applicationCredentialName?: string;
  applicationCredentialSecret?: string;
  cacert?: string;
  /** `verify: false` in the file. */
  insecure?: boolean;
}

type Env = Record<string, string | undefined>;

function configDirs(env: Env, cwd: string): string[] {
  const home = env.HOME || homedir();
  const xdg = env.XDG_CONFIG_HOME || join(home, '.config');
  return [cwd, join(xdg, 'openstack'), '/etc/openstack'];
}

/** The files openstacksdk would read, in its order: the first clouds.yaml found wins. */
export function cloudFiles(env: Env, cwd = process.cwd()): { clouds?: string; secure?: string } {
  const pick = (explicit: string | undefined, name: string) => {
    if (explicit) return resolve(cwd, explicit);
    return configDirs(env, cwd)
      .map((dir) => join(dir, name))
      .find((f) => existsSync(f));
  };
  return { clouds: pick(env.OS_CLIENT_CONFIG_FILE, 'clouds.yaml'), secure: pick(env.OS_CLIENT_SECURE_FILE, 'secure.yaml') };
}

function readYaml(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new UsageError(`cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    // yaml's message quotes the offending line, which may hold a password: keep only the position.
    const pos = (err as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new UsageError(`${file}${pos ? `:${pos}` : ''} is not valid YAML: fix it or point OS_CLIENT_CONFIG_FILE elsewhere`);
  }
  return doc && typeof doc === 'object' ? (doc as Record<string, unknown>) : {};
}

function cloudIn(doc: Record<string, unknown>, name: string): Record<string, unknown> | undefined {
  const clouds = doc.clouds as Record<string, unknown> | undefined;
  const entry = clouds && typeof clouds === 'object' ? clouds[name] : undefined;
  return entry && typeof entry === 'object' ? (entry as Record<string, unknown>) : undefined;
}

function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object'
        ? deepMerge(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

function str(v: unknown): string | undefined {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

/** Reads cloud `name`; a missing file or entry is a UsageError naming where we looked. */
export function loadCloud(name: string, env: Env, cwd = process.cwd()): CloudEntry {
  const files = cloudFiles(env, cwd);
  if (!files.clouds) {
    throw new UsageError(
      `--os-cloud ${name}: no clouds.yaml in ./, ${configDirs(env, cwd)[1]}/ or /etc/openstack/ (or set OS_CLIENT_CONFIG_FILE)`,
    );
  }
  const main = cloudIn(readYaml(files.clouds), name);
  if (!main) throw new UsageError(`--os-cloud ${name}: ${files.clouds} has no cloud named ${JSON.stringify(name)} under "clouds:"`);
  const secure = files.secure ? cloudIn(readYaml(files.secure), name) : undefined;
  const cloud = secure ? deepMerge(main, secure) : main;
  const auth = (cloud.auth && typeof cloud.auth === 'object' ? cloud.auth : {}) as Record<string, unknown>;
  const a = (k: string) => str(auth[k]);
  return {
    file: files.clouds,
    authType: str(cloud.auth_type),
    authUrl: a('auth_url'),
    username: a('username') ?? a('user_name'),
    userId: a('user_id'),
    userDomainName: a('user_domain_name'),
    userDomainId: a('user_domain_id'),
    projectName: a('project_name') ?? a('tenant_name'),
    projectId: a('project_id') ?? a('tenant_id'),
    projectDomainName: a('project_domain_name'),
    projectDomainId: a('project_domain_id'),
    domainName: a('domain_name'),
    domainId: a('domain_id'),
    password: a('password'),
    applicationCredentialId: a('application_credential_id'),
    applicationCredentialName: a('application_credential_name'),
    applicationCredentialSecret: a('application_credential_secret'),
    cacert: str(cloud.cacert),
    insecure: cloud.verify === false || cloud.insecure === true ? true : undefined,
  };
}
