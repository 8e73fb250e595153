// `setup-context keystone`, the Keystone side: authenticate once to prove the settings (nothing is
// written when that fails), then keep what the user chose — an application credential's secret,
// the password, or nothing — in the secret store under the cache key of the exec args we write,
// and warm the token cache with the token we got.
import { resolve } from 'node:path';
import type { Infrastructure } from '../../infra/types.js';
import type { ExecEnvVar } from '../../kubeconfig/index.js';
import { UsageError } from '../../exec/flags.js';
import { KubecredError } from '../../shared/errors.js';
import { openSecretStore, scopedSecrets, type SecretStore } from '../../store/secret-store.js';
import { openTokenStore } from '../../store/token-store.js';
import type { FlagValues } from '../../exec/flags.js';
import { keystoneSettings, describeUser, type KeystoneSettings } from './settings.js';
import type { KeystoneClient, TokenInfo } from './client.js';
import { authenticate, type AuthPrompts, type Credential } from './authenticate.js';
import { APP_CRED_PREFIX } from './logout.js';
import { APP_CRED_SECRET, PASSWORD_SECRET, clientFor, passcodeAsker } from './sources.js';
import { obtainedFrom } from './provider.js';
import { applicationCredentialArgs, execPlan, namespaceForProject, passwordArgs } from './setup-plan.js';

export interface KeystoneSetupRequest {
  contextName: string;
  authUrl?: string;
  username?: string;
  userDomain?: string;
  project?: string;
  projectId?: string;
  projectDomain?: string;
  osCloud?: string;
  cacert?: string;
  insecure?: boolean;
  /** The password read from --password-stdin. */
  stdinPassword?: string;
  createApplicationCredential: boolean;
  rememberPassword: boolean;
  force: boolean;
}

export interface KeystoneSetup {
  args: string[];
  env: ExecEnvVar[];
  /** The project's namespace (CloudVeneto's convention), for when --namespace is not given. */
  namespace?: string;
  /** Stores the chosen secret; call before writing the kubeconfig. */
  storeSecrets(): Promise<void>;
  /** Caches the token setup obtained; call after writing the kubeconfig. Returns lines for stdout. */
  finish(): Promise<string[]>;
  /** Undoes storeSecrets and deletes an application credential created here. */
  rollback(): Promise<void>;
}

function settingsFrom(req: KeystoneSetupRequest, env: Record<string, string | undefined>): KeystoneSettings {
  if (req.createApplicationCredential && req.rememberPassword) {
    throw new UsageError('--create-application-credential and --remember-password exclude each other: with an application credential no password is kept');
  }
  if (req.project && req.projectId) throw new UsageError('give --project NAME or --project-id ID, not both');
  const values: FlagValues = {
    'auth-url': req.authUrl,
    username: req.username,
    'user-domain-name': req.userDomain,
    'project-name': req.project,
    'project-id': req.projectId,
    'project-domain-name': req.projectDomain,
    'os-cloud': req.osCloud,
    cacert: req.cacert ? resolve(req.cacert) : undefined,
    insecure: req.insecure === true,
  };
  const s = keystoneSettings(values, env);
  if (!req.osCloud && !req.authUrl) throw new UsageError('--auth-url https://keystone.example:5000/v3 (or --os-cloud NAME) is required');
  if (s.applicationCredential) {
    if (req.createApplicationCredential || req.rememberPassword) {
      throw new UsageError(`cloud ${req.osCloud} already logs in with an application credential: drop --create-application-credential / --remember-password`);
    }
  } else if (!s.project) {
    throw new UsageError('which project? pass --project NAME or --project-id ID (the token is scoped to it)');
  }
  if (s.caFile) s.caFile = resolve(s.caFile);
  return s;
}

async function setupCredential(req: KeystoneSetupRequest, s: KeystoneSettings, infra: Infrastructure): Promise<Credential> {
  if (s.applicationCredential) {
    const secret = s.cloud?.applicationCredentialSecret;
    if (!secret) throw new UsageError(`cloud ${req.osCloud} has an application credential but no application_credential_secret (in clouds.yaml or secure.yaml)`);
    return { kind: 'application_credential', ref: s.applicationCredential, secret, source: `from cloud ${req.osCloud}` };
  }
  const user = s.user!;
  if (req.stdinPassword !== undefined) {
    if (req.stdinPassword === '') throw new UsageError('--password-stdin read an empty password');
    return { kind: 'password', user, password: req.stdinPassword, source: 'from stdin' };
  }
  if (s.cloud?.password) return { kind: 'password', user, password: s.cloud.password, source: `from cloud ${req.osCloud}` };
  if (!infra.prompt.available) {
    throw new UsageError('no password: pass --password-stdin (e.g. from a password manager) or run setup-context on a terminal to be asked');
  }
  const password = await infra.prompt.secret(`Keystone password for ${describeUser(user)}: `);
  return { kind: 'password', user, password, source: 'typed' };
}

async function createApplicationCredential(client: KeystoneClient, token: TokenInfo, req: KeystoneSetupRequest): Promise<{ id: string; secret: string; name: string; replaced?: string }> {
  const name = `${APP_CRED_PREFIX}${req.contextName}`;
  const description = `kubectl context ${req.contextName}, created by kubecred setup-context`;
  let made = await client.createApplicationCredential(token.id, token.user.id, name, description);
  if (made === 'exists') {
    if (!req.force) throw new KubecredError(`an application credential named ${name} already exists for ${token.user.name ?? token.user.id}: pass --force to replace it (the old one stops working)`);
    const old = await client.findApplicationCredential(token.id, token.user.id, { name });
    if (old) await client.deleteApplicationCredential(token.id, token.user.id, old.id);
    made = await client.createApplicationCredential(token.id, token.user.id, name, description);
    if (made === 'exists') throw new KubecredError(`Keystone still has an application credential named ${name}: delete it and retry`);
    return { id: made.id, secret: made.secret!, name, replaced: old?.id };
  }
  return { id: made.id, secret: made.secret!, name };
}

interface Created {
  id: string;
  name: string;
  /** The password token that created it: an application credential may not delete itself. */
  managerToken: TokenInfo;
}

/** Deletes a credential made by this setup and revokes the token that made it; false on failure. */
async function dropCreated(client: KeystoneClient, created: Created): Promise<boolean> {
  const t = created.managerToken;
  const ok = await client.deleteApplicationCredential(t.id, t.user.id, created.id).then(() => true, () => false);
  await client.revokeToken(t.id).catch(() => undefined);
  return ok;
}

function tokenOwner(t: TokenInfo): string {
  const domain = t.user.domain?.name ?? t.user.domain?.id;
  const project = t.project ? `, project ${t.project.name ?? t.project.id}` : '';
  return `${t.user.name ?? t.user.id}${domain ? ` (domain ${domain})` : ''}${project}`;
}

export async function prepareKeystoneSetup(req: KeystoneSetupRequest, infra: Infrastructure): Promise<KeystoneSetup> {
  const s = settingsFrom(req, infra.env);
  const cred = await setupCredential(req, s, infra);
  const client = clientFor(s, infra.env);
  const prompts: AuthPrompts = {
    passcode: passcodeAsker(infra.prompt),
    loginHint: 'setup-context on a terminal',
  };
  let token = await authenticate(client, cred, s.project, prompts);
  const lines = [`Keystone at ${client.host} accepted ${tokenOwner(token)}`];
  const projectName = token.project?.name;
  const pwPlan = s.user && !s.applicationCredential ? execPlan(passwordArgs(s), infra.env) : undefined;
  let plan = pwPlan!;
  let secretName: string | undefined;
  let secretValue: string | undefined;
  let created: Created | undefined;
  /** Cache keys whose stored secrets are stale after this setup. */
  const stale: Array<{ key: string; name: string }> = [];

  if (cred.kind === 'application_credential') {
    const id = token.applicationCredential?.id ?? ('id' in cred.ref ? cred.ref.id : '');
    plan = execPlan(applicationCredentialArgs(s, id), infra.env);
    [secretName, secretValue] = [APP_CRED_SECRET, cred.secret];
    lines.push(`using application credential ${id} of cloud ${req.osCloud}; its secret is kept in the secret store`);
  } else if (req.createApplicationCredential) {
    const made = await createApplicationCredential(client, token, req);
    // The password token stays until the end: only it may delete the credential if writing fails.
    created = { ...made, managerToken: token };
    try {
      token = await authenticate(client, { kind: 'application_credential', ref: { id: made.id }, secret: made.secret, source: 'just created' }, undefined, prompts);
    } catch (err) {
      await dropCreated(client, created);
      throw err;
    }
    plan = execPlan(applicationCredentialArgs(s, made.id), infra.env);
    [secretName, secretValue] = [APP_CRED_SECRET, made.secret];
    if (made.replaced) stale.push({ key: execPlan(applicationCredentialArgs(s, made.replaced), infra.env).key, name: APP_CRED_SECRET });
    lines.push(`created application credential ${made.name} (${made.id}); its secret is kept in the secret store, your password nowhere`);
  } else if (req.rememberPassword) {
    [secretName, secretValue] = [PASSWORD_SECRET, cred.password];
    lines.push('your password is kept in the secret store, for new tokens without asking');
  } else {
    lines.push(`your password is not kept: kubectl asks for it on the terminal when the token expires (scripts: run kubecred login --context ${req.contextName} first)`);
  }

  let store: SecretStore | undefined;
  let before: string | undefined;
  const open = async () => (store ??= await openSecretStore({ cacheDir: plan.cacheDir, notice: (m) => infra.log.info(m) }));
  return {
    args: plan.args,
    env: plan.env,
    namespace: namespaceForProject(projectName),
    async storeSecrets() {
      const secrets = scopedSecrets(await open(), plan.key);
      if (secretName) {
        before = await secrets.get(secretName);
        await secrets.set(secretName, secretValue!);
      }
      // "Not kept" must be true: drop a password remembered by an earlier setup of these settings.
      if (secretName !== PASSWORD_SECRET && pwPlan) stale.push({ key: pwPlan.key, name: PASSWORD_SECRET });
      for (const { key, name } of stale) await scopedSecrets(await open(), key).delete(name);
    },
    async finish() {
      const tokens = await openTokenStore({ dir: plan.cacheDir, storage: 'disk', notice: (m) => infra.log.info(m) });
      const obtained = obtainedFrom(token);
      await tokens.write(plan.key, {
        v: 1,
        provider: 'keystone',
        identity: plan.identity,
        label: obtained.label,
        storage: 'disk',
        expiresAt: obtained.expiresAt.toISOString(),
        obtainedAt: new Date(infra.clock.now()).toISOString(),
        credential: obtained.material,
        meta: obtained.meta,
      });
      if (created) await client.revokeToken(created.managerToken.id).catch(() => undefined);
      return [...lines, `token cached until ${obtained.expiresAt.toISOString()}`];
    },
    async rollback() {
      if (secretName && store) {
        const secrets = scopedSecrets(store, plan.key);
        if (before === undefined) await secrets.delete(secretName).catch(() => undefined);
        else await secrets.set(secretName, before).catch(() => undefined);
      }
      if (created && !(await dropCreated(client, created))) {
        infra.log.warn(`application credential ${created.name} (${created.id}) was created but the context was not written: delete it with openstack application credential delete ${created.id}`);
      }
    },
  };
}
