// One Keystone authentication: request body, the TOTP step when Keystone answers with an auth
// receipt, and errors that say what is wrong. Keystone answers 401 to a bad password and to an
// unknown project alike, so on a scoped 401 we ask once more without scope to tell them apart.
import { LoginFailedError, NeedsInteractionError } from '../../shared/errors.js';
import type { KeystoneClient, TokenInfo } from './client.js';
import { rememberSecret } from '../../shared/scrub.js';
import { describeProject, describeUser, type AppCredRef, type DomainRef, type ProjectRef, type UserRef } from './settings.js';

export type Credential =
  | { kind: 'password'; user: UserRef; password: string; /** e.g. `from OS_PASSWORD`, for messages */ source: string }
  | { kind: 'application_credential'; ref: AppCredRef; secret: string; source: string };

export interface AuthPrompts {
  /** Asks for a TOTP passcode; undefined when there is no terminal. */
  passcode?: () => Promise<string>;
  /** What to tell someone who must act: `kubecred login --context cms` (looked up only when needed). */
  loginHint: () => Promise<string>;
}

/** Keystone refused the password or secret itself (not the project, not a second factor). */
export class CredentialRefusedError extends LoginFailedError {}

function domainBody(d: { id?: string; name?: string }): Record<string, string> {
  return d.id ? { id: d.id } : { name: d.name ?? 'Default' };
}

function userBody(user: UserRef): Record<string, unknown> {
  return 'id' in user ? { id: user.id } : { name: user.name, domain: domainBody(user.domain) };
}

function identityBody(cred: Credential): Record<string, unknown> {
  if (cred.kind === 'password') {
    return { methods: ['password'], password: { user: { ...userBody(cred.user), password: cred.password } } };
  }
  const ref = 'id' in cred.ref ? { id: cred.ref.id } : { name: cred.ref.name, user: userBody(cred.ref.user) };
  return { methods: ['application_credential'], application_credential: { ...ref, secret: cred.secret } };
}

/** A project, or (no project given) the domain of a domain-scoped token. */
export type Scope = ProjectRef | { domain: DomainRef; domainOnly: true };

function scopeBody(project: Scope | undefined): Record<string, unknown> {
  if (!project) return {};
  if ('domainOnly' in project) return { scope: { domain: domainBody(project.domain) } };
  return { scope: { project: 'id' in project ? { id: project.id } : { name: project.name, domain: domainBody(project.domain) } } };
}

function who(cred: Credential): string {
  if (cred.kind === 'password') return describeUser(cred.user);
  return `application credential ${'id' in cred.ref ? cred.ref.id : `${cred.ref.name} of ${describeUser(cred.ref.user)}`}`;
}

/** Obtains a token; an application credential is never scoped (Keystone refuses that). */
export async function authenticate(
  client: KeystoneClient,
  cred: Credential,
  project: Scope | undefined,
  prompts: AuthPrompts,
): Promise<TokenInfo> {
  rememberSecret(cred.kind === 'password' ? cred.password : cred.secret);
  const scope = cred.kind === 'password' ? scopeBody(project) : {};
  let answer = await client.issueToken({ identity: identityBody(cred), ...scope });
  if ('id' in answer) return answer;
  if (answer.kind === 'receipt') {
    if (cred.kind === 'application_credential') {
      throw new LoginFailedError(
        `Keystone's MFA rules for ${who(cred)} do not accept an application credential alone: ask an administrator to add the rule application_credential (openstack user set --multi-factor-auth-rule password,totp --multi-factor-auth-rule application_credential USER), or log in with the password`,
      );
    }
    if (!answer.required.some((rule) => rule.includes('totp'))) {
      throw new LoginFailedError(
        `Keystone requires the methods ${JSON.stringify(answer.required)} for ${who(cred)}; kubecred can add only a TOTP passcode`,
      );
    }
    if (!prompts.passcode) {
      throw new NeedsInteractionError(
        `Keystone also wants a TOTP passcode for ${who(cred)}, and there is no terminal to ask on: run ${await prompts.loginHint()}`,
      );
    }
    const passcode = (await prompts.passcode!()).trim();
    rememberSecret(passcode);
    answer = await client.issueToken(
      { identity: { methods: ['totp'], totp: { user: { id: answer.userId, passcode } } }, ...scope },
      answer.receipt,
    );
    if ('id' in answer) return answer;
    if (answer.kind === 'refused' && answer.status === 401)
      throw new LoginFailedError(
        `Keystone refused the TOTP passcode for ${who(cred)}: run ${await prompts.loginHint()} and type the current code`,
      );
  }
  if (answer.kind !== 'refused') throw new LoginFailedError(`Keystone asked ${who(cred)} for yet another authentication step`);
  if (/password is expired/i.test(answer.message)) {
    throw new LoginFailedError(
      `the Keystone password of ${who(cred)} has expired: change it (OpenStack dashboard, or openstack user password set), then run ${await prompts.loginHint()}`,
    );
  }
  if (answer.status === 401 && cred.kind === 'password' && project && !('domainOnly' in project))
    await diagnoseScope(client, cred, project);
  if (answer.status === 401) {
    const why =
      cred.kind === 'password'
        ? 'wrong password, unknown user or domain, or a disabled account'
        : 'wrong secret, or the credential was deleted or expired';
    throw new CredentialRefusedError(
      `Keystone at ${client.host} refused ${cred.kind === 'password' ? 'the password' : 'the secret'} (${cred.source}) for ${who(cred)}: ${why}`,
    );
  }
  throw new LoginFailedError(`Keystone at ${client.host} refused ${who(cred)} (HTTP ${answer.status}: ${answer.message})`);
}

/** Throws a "no such project" error when the password works without the scope; returns otherwise. */
async function diagnoseScope(client: KeystoneClient, cred: Credential & { kind: 'password' }, project: ProjectRef): Promise<void> {
  const answer = await client.issueToken({ identity: identityBody(cred), scope: 'unscoped' });
  // A receipt means the password was right and only the second factor is missing.
  if (!('id' in answer) && answer.kind === 'refused') return;
  let yours = '';
  if ('id' in answer) {
    const names = (await client.listProjects(answer.id)).map((p) => p.name).sort();
    yours = names.length ? ` (yours: ${names.join(', ')})` : ' (you have a role on no project)';
    await client.revokeToken(answer.id).catch(() => undefined);
  }
  throw new LoginFailedError(
    `${describeUser(cred.user)} cannot use ${describeProject(project)}: no such project, or no role on it${yours}`,
  );
}
