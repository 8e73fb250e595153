// `setup-context keystone`, the Keystone side: authenticate once to prove the settings (nothing is
// written when that fails), then say what to keep — an application credential's secret, the
// password, or nothing — and hand back the token as the warm credential. The use case stores the
// secrets under the cache key of the exec args returned here, writes the kubeconfig and caches it.
import { resolve } from 'node:path';
import type { Infrastructure } from '../../infra/types.js';
import { booleanFlag, stringFlag, type FlagValues } from '../../exec/flags.js';
import { UsageError, KubecredError } from '../../shared/errors.js';
import type { SetupContext, SetupPlan, SetupRequest } from '../types.js';
import { keystoneSettings, describeUser, type KeystoneSettings } from './settings.js';
import type { KeystoneClient, TokenInfo } from './client.js';
import { authenticate, type AuthPrompts, type Credential } from './authenticate.js';
import { APP_CRED_PREFIX } from './logout.js';
import { APP_CRED_SECRET, PASSWORD_SECRET, clientFor, passcodeAsker } from './sources.js';
import { obtainedFrom } from './obtained.js';
import { applicationCredentialArgs, execArgs, namespaceForProject, passwordArgs } from './setup-plan.js';

interface KeystoneSetupRequest {
  contextName: string;
  osCloud?: string;
  /** The password (or application credential secret) read from --password-stdin. */
  stdinPassword?: string;
  createApplicationCredential: boolean;
  rememberPassword: boolean;
  force: boolean;
}

function settingsFrom(values: FlagValues, req: KeystoneSetupRequest, env: Record<string, string | undefined>): KeystoneSettings {
  if (req.createApplicationCredential && req.rememberPassword) {
    throw new UsageError(
      '--create-application-credential and --remember-password exclude each other: with an application credential no password is kept',
    );
  }
  if (values['project-name'] && values['project-id']) throw new UsageError('give --project NAME or --project-id ID, not both');
  const s = keystoneSettings(values, env);
  if (!req.osCloud && !values['auth-url'])
    throw new UsageError('--auth-url https://keystone.example:5000/v3 (or --os-cloud NAME) is required');
  if (s.applicationCredential) {
    if (req.createApplicationCredential || req.rememberPassword) {
      throw new UsageError(
        'this setup already logs in with an application credential: drop --create-application-credential / --remember-password',
      );
    }
  } else if (!s.project) {
    throw new UsageError('which project? pass --project NAME or --project-id ID (the token is scoped to it)');
  }
  if (s.caFile) s.caFile = resolve(s.caFile);
  return s;
}

async function setupCredential(req: KeystoneSetupRequest, s: KeystoneSettings, infra: Infrastructure): Promise<Credential> {
  if (s.applicationCredential) {
    const secret = s.cloud?.applicationCredentialSecret ?? req.stdinPassword;
    if (!secret)
      throw new UsageError(
        req.osCloud
          ? `cloud ${req.osCloud} has an application credential but no application_credential_secret (in clouds.yaml or secure.yaml)`
          : 'pipe the application credential secret into --password-stdin',
      );
    return {
      kind: 'application_credential',
      ref: s.applicationCredential,
      secret,
      source: req.osCloud ? `from cloud ${req.osCloud}` : 'from stdin',
    };
  }
  const user = s.user!;
  if (req.stdinPassword !== undefined) {
    if (req.stdinPassword === '') throw new UsageError('--password-stdin read an empty password');
    return { kind: 'password', user, password: req.stdinPassword, source: 'from stdin' };
  }
  if (s.cloud?.password) return { kind: 'password', user, password: s.cloud.password, source: `from cloud ${req.osCloud}` };
  if (!infra.prompt.available) {
    throw new UsageError(
      'no password: pass --password-stdin (e.g. from a password manager) or run setup-context on a terminal to be asked',
    );
  }
  const password = await infra.prompt.secret(`Keystone password for ${describeUser(user)}: `);
  return { kind: 'password', user, password, source: 'typed' };
}

async function createApplicationCredential(
  client: KeystoneClient,
  token: TokenInfo,
  req: KeystoneSetupRequest,
): Promise<{ id: string; secret: string; name: string; replaced?: string }> {
  const name = `${APP_CRED_PREFIX}${req.contextName}`;
  const description = `kubectl context ${req.contextName}, created by kubecred setup-context`;
  let made = await client.createApplicationCredential(token.id, token.user.id, name, description);
  if (made === 'exists') {
    if (!req.force)
      throw new KubecredError(
        `an application credential named ${name} already exists for ${token.user.name ?? token.user.id}: pass --force to replace it (the old one stops working)`,
      );
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
  const ok = await client.deleteApplicationCredential(t.id, t.user.id, created.id).then(
    () => true,
    () => false,
  );
  await client.revokeToken(t.id).catch(() => undefined);
  return ok;
}

function tokenOwner(t: TokenInfo): string {
  const domain = t.user.domain?.name ?? t.user.domain?.id;
  const project = t.project ? `, project ${t.project.name ?? t.project.id}` : '';
  return `${t.user.name ?? t.user.id}${domain ? ` (domain ${domain})` : ''}${project}`;
}

export async function keystoneSetup(ctx: SetupContext, request: SetupRequest): Promise<SetupPlan> {
  const { infra } = ctx;
  const v = request.values;
  const req: KeystoneSetupRequest = {
    contextName: request.contextName,
    osCloud: stringFlag(v, 'os-cloud'),
    stdinPassword: request.stdinSecret,
    createApplicationCredential: booleanFlag(v, 'create-application-credential'),
    rememberPassword: booleanFlag(v, 'remember-password'),
    force: request.force,
  };
  // The user domain defaults to Default only when no cloud entry could say otherwise.
  const values = { ...v, 'user-domain-name': v['user-domain-name'] ?? (req.osCloud ? undefined : 'Default') };
  const s = settingsFrom(values, req, infra.env);
  const cred = await setupCredential(req, s, infra);
  const client = clientFor(s, infra);
  const prompts: AuthPrompts = { passcode: passcodeAsker(infra.prompt), loginHint: async () => 'setup-context on a terminal' };
  let token = await authenticate(client, cred, s.project, prompts);
  const lines = [`Keystone at ${client.host} accepted ${tokenOwner(token)}`];
  const projectName = token.project?.name;
  const pwArgs = s.user && !s.applicationCredential ? passwordArgs(s) : undefined;
  let flagArgs = pwArgs!;
  const secrets: Record<string, string> = {};
  let created: Created | undefined;
  /** Other exec args whose stored secrets are stale after this setup. */
  const forgetElsewhere: NonNullable<SetupPlan['forgetElsewhere']> = [];

  if (cred.kind === 'application_credential') {
    const id = token.applicationCredential?.id ?? ('id' in cred.ref ? cred.ref.id : '');
    flagArgs = applicationCredentialArgs(s, id);
    secrets[APP_CRED_SECRET] = cred.secret;
    lines.push(
      `using application credential ${id}${req.osCloud ? ` of cloud ${req.osCloud}` : ''}; its secret is kept in the secret store`,
    );
  } else if (req.createApplicationCredential) {
    const made = await createApplicationCredential(client, token, req);
    // The password token stays until the end: only it may delete the credential if writing fails.
    created = { ...made, managerToken: token };
    try {
      token = await authenticate(
        client,
        { kind: 'application_credential', ref: { id: made.id }, secret: made.secret, source: 'just created' },
        undefined,
        prompts,
      );
    } catch (err) {
      await dropCreated(client, created);
      throw err;
    }
    flagArgs = applicationCredentialArgs(s, made.id);
    secrets[APP_CRED_SECRET] = made.secret;
    if (made.replaced) forgetElsewhere.push({ ...execArgs(applicationCredentialArgs(s, made.replaced)), names: [APP_CRED_SECRET] });
    lines.push(`created application credential ${made.name} (${made.id}); its secret is kept in the secret store, your password nowhere`);
  } else if (req.rememberPassword) {
    secrets[PASSWORD_SECRET] = cred.password;
    lines.push('your password is kept in the secret store, for new tokens without asking');
  } else {
    lines.push(
      `your password is not kept: kubectl asks for it on the terminal when the token expires (scripts: run kubecred login --context ${req.contextName} first)`,
    );
  }
  // "Not kept" must be true: drop a password remembered by an earlier setup of these settings.
  if (pwArgs && !secrets[PASSWORD_SECRET]) forgetElsewhere.push({ ...execArgs(pwArgs), names: [PASSWORD_SECRET] });

  const plan = execArgs(flagArgs);
  return {
    args: plan.args,
    env: plan.env,
    secrets,
    forgetElsewhere,
    namespace: namespaceForProject(projectName),
    warm: obtainedFrom(token),
    lines,
    async rollback() {
      if (created && !(await dropCreated(client, created))) {
        infra.log.warn(
          `application credential ${created.name} (${created.id}) was created but the context was not written: delete it with openstack application credential delete ${created.id}`,
        );
      }
    },
    async finish() {
      if (created) await client.revokeToken(created.managerToken.id).catch(() => undefined);
      return [];
    },
  };
}
