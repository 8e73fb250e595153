// OpenStack Keystone: a project-scoped token from a password (+ TOTP), or a token from an
// application credential. Keystone has no refresh token: every miss is a full authentication, so
// where the password or secret comes from is the whole story:
//   the secret store (setup-context --remember-password / --create-application-credential),
//   then OS_PASSWORD / OS_APPLICATION_CREDENTIAL_SECRET, then clouds.yaml (--os-cloud),
//   then the terminal kubectl handed us; with no terminal, one line saying `kubecred login --context X`.
import type { CredentialProvider, ProviderContext } from '../types.js';
import { NeedsInteractionError } from '../../shared/errors.js';
import { describeKeystone, obtainedFrom } from './obtained.js';
import { keystoneSetup } from './setup.js';
import { describeUser, keystoneSettings, scopeOf, type KeystoneSettings } from './settings.js';
import type { KeystoneClient, TokenInfo } from './client.js';
import { authenticate, CredentialRefusedError } from './authenticate.js';
import { PASSWORD_SECRET, applicationCredentialSecret, canAsk, clientFor, promptsFor } from './sources.js';
import { keystoneLogout } from './logout.js';

async function passwordToken(ctx: ProviderContext, s: KeystoneSettings, client: KeystoneClient): Promise<TokenInfo> {
  const user = s.user!;
  const prompts = promptsFor(ctx);
  const stored = await ctx.secrets.get(PASSWORD_SECRET);
  const env = ctx.infra.env.OS_PASSWORD || undefined;
  const cloud = s.cloud?.password;
  const known =
    stored !== undefined
      ? { password: stored, source: 'remembered in the secret store' }
      : env !== undefined
        ? { password: env, source: 'from OS_PASSWORD' }
        : cloud !== undefined
          ? { password: cloud, source: `from cloud ${s.cloud!.name} of ${s.cloud!.file}` }
          : undefined;
  if (known) {
    try {
      return await authenticate(client, { kind: 'password', user, ...known }, scopeOf(s), prompts);
    } catch (err) {
      // A remembered password that stopped working (changed in the dashboard): ask for the new one.
      if (!(err instanceof CredentialRefusedError) || stored === undefined) throw err;
      if (!canAsk(ctx))
        throw new CredentialRefusedError(`${err.message}; if you changed it, run ${await prompts.loginHint()} to type the new one`);
      ctx.infra.log.info('kubecred: Keystone refused the remembered password');
    }
  }
  if (!canAsk(ctx)) {
    throw new NeedsInteractionError(
      `Keystone needs the password of ${describeUser(user)} and kubectl gave no terminal to ask on: run ${await prompts.loginHint()}`,
    );
  }
  const typed = await ctx.infra.prompt.secret(`Keystone password for ${describeUser(user)} at ${client.host}: `);
  const token = await authenticate(client, { kind: 'password', user, password: typed, source: 'typed' }, scopeOf(s), prompts);
  // The user chose to remember the password at setup: keep the one that works now.
  if (stored !== undefined) await ctx.secrets.set(PASSWORD_SECRET, typed);
  return token;
}

async function applicationCredentialToken(ctx: ProviderContext, s: KeystoneSettings, client: KeystoneClient): Promise<TokenInfo> {
  const ref = s.applicationCredential!;
  let found = await applicationCredentialSecret(ctx, s);
  if (!found && canAsk(ctx)) {
    found = { secret: await ctx.infra.prompt.secret('Keystone application credential secret: '), source: 'typed' };
  }
  if (!found) {
    const name = 'id' in ref ? ref.id : ref.name;
    throw new NeedsInteractionError(
      `no secret for Keystone application credential ${name}: set OS_APPLICATION_CREDENTIAL_SECRET, or create a new one with kubecred setup-context keystone … --create-application-credential`,
    );
  }
  return authenticate(client, { kind: 'application_credential', ref, ...found }, undefined, promptsFor(ctx));
}

export const provider: CredentialProvider<KeystoneSettings> = {
  settings: keystoneSettings,
  setup: keystoneSetup,
  describe: describeKeystone,
  adopt: async (user, environment) => (await import('./adopt.js')).adoptKeystone(user, environment),
  doctor: async (input) => (await import('./check.js')).keystoneDoctor(input),
  async obtain(ctx, settings) {
    const client = clientFor(settings, ctx.infra);
    ctx.infra.log.debug(`authenticating to Keystone at ${settings.authUrl}`);
    const token = settings.applicationCredential
      ? await applicationCredentialToken(ctx, settings, client)
      : await passwordToken(ctx, settings, client);
    ctx.infra.log.debug(`Keystone token for ${token.user.name ?? token.user.id} valid until ${token.expiresAt.toISOString()}`);
    return obtainedFrom(token);
  },
  logout: keystoneLogout,
};
