// Where a Keystone login gets what it needs: the HTTP client for the settings, the prompts (only
// when kubectl handed us a terminal), and the secret names kept in the secret store.
import type { ProviderContext } from '../types.js';
import type { Infrastructure, Prompt } from '../../infra/types.js';
import type { KeystoneSettings } from './settings.js';
import { KeystoneClient } from './client.js';
import type { AuthPrompts } from './authenticate.js';

/** Names in the secret store (scoped to the cache key). */
export const PASSWORD_SECRET = 'password';
export const APP_CRED_SECRET = 'application_credential_secret';

export function clientFor(s: KeystoneSettings, infra: Pick<Infrastructure, 'env' | 'http'>): KeystoneClient {
  return new KeystoneClient(s.authUrl, {
    caFile: s.caFile,
    insecure: s.insecure,
    clientCert: s.clientCert,
    env: infra.env,
    http: infra.http,
  });
}

/** Whether we may ask a person: kubectl handed us a terminal. */
export function canAsk(ctx: ProviderContext): boolean {
  return ctx.interactive && ctx.infra.prompt.available;
}

/** Asks for a TOTP passcode on `prompt`, or undefined when nobody may be asked. */
export function passcodeAsker(prompt: Prompt, allowed = prompt.available): AuthPrompts['passcode'] {
  return allowed ? () => prompt.line('Keystone TOTP passcode: ') : undefined;
}

export function promptsFor(ctx: ProviderContext): AuthPrompts {
  return {
    passcode: passcodeAsker(ctx.infra.prompt, canAsk(ctx)),
    loginHint: () => ctx.loginCommand(),
  };
}

/** The secret of the application credential in the settings, from wherever it is kept. */
export async function applicationCredentialSecret(
  ctx: ProviderContext,
  s: KeystoneSettings,
): Promise<{ secret: string; source: string } | undefined> {
  const stored = await ctx.secrets.get(APP_CRED_SECRET);
  if (stored !== undefined) return { secret: stored, source: 'kept in the secret store' };
  const env = ctx.infra.env.OS_APPLICATION_CREDENTIAL_SECRET;
  if (env) return { secret: env, source: 'from OS_APPLICATION_CREDENTIAL_SECRET' };
  const cloud = s.cloud?.applicationCredentialSecret;
  if (cloud) return { secret: cloud, source: `from cloud ${s.cloud!.name} of ${s.cloud!.file}` };
  return undefined;
}
