// logout: revoke the cached token at Keystone (the spine then forgets it and a remembered password);
// with --delete-application-credential, also delete the application credential setup-context
// made, and its secret. Keystone does not let a (restricted) application credential delete itself, so that takes
// the user's password: OS_PASSWORD, or the terminal when logout has one.
import type { ProviderContext } from '../types.js';
import type { CacheEntry } from '../../store/token-cache.js';
import { KubecredError, oneLine } from '../../shared/errors.js';
import type { KeystoneClient, TokenInfo } from './client.js';
import { authenticate } from './authenticate.js';
import { describeUser, type KeystoneSettings } from './settings.js';
import { APP_CRED_SECRET, applicationCredentialSecret, clientFor, passcodeAsker, PASSWORD_SECRET } from './sources.js';

/** setup-context names what it creates `kubecred-<context>`; logout deletes nothing else. */
export const APP_CRED_PREFIX = 'kubecred-';

function cachedToken(previous: CacheEntry | undefined, nowMs: number): string | undefined {
  const c = previous?.credential;
  if (!c || !('token' in c) || Date.parse(previous!.expiresAt) <= nowMs) return undefined;
  return c.token;
}

interface Deletion {
  userId: string;
  /** A token that may manage application credentials (from the password). */
  token: string;
  id: string;
}

/** Everything needed to delete, gathered before anything is changed (a failure changes nothing). */
async function prepareDeletion(
  ctx: ProviderContext,
  s: KeystoneSettings,
  previous: CacheEntry | undefined,
  client: KeystoneClient,
): Promise<Deletion> {
  const ref = s.applicationCredential;
  if (!ref) throw new KubecredError('--delete-application-credential: this context logs in with a password, not an application credential');
  const hint = 'delete it with openstack application credential delete';
  let userId = typeof previous?.meta?.userId === 'string' ? previous.meta.userId : undefined;
  let id = 'id' in ref ? ref.id : undefined;
  if (!userId || !id) {
    const found = await applicationCredentialSecret(ctx, s);
    if (!found)
      throw new KubecredError(
        `--delete-application-credential: its secret is no longer kept here, so kubecred cannot tell whose it is: ${hint}${id ? ` ${id}` : ''}`,
      );
    const token = await authenticate(client, { kind: 'application_credential', ref, ...found }, undefined, {
      loginHint: async () => 'kubecred logout again',
    });
    userId = token.user.id;
    id = token.applicationCredential?.id ?? id;
    await client.revokeToken(token.id).catch(() => undefined);
  }
  const password = ctx.infra.env.OS_PASSWORD || (await ctx.secrets.get(PASSWORD_SECRET));
  let typed: string | undefined;
  if (!password) {
    if (!ctx.infra.prompt.available) {
      throw new KubecredError(
        `--delete-application-credential needs your Keystone password (an application credential may not delete itself): set OS_PASSWORD for this command, or ${hint} ${id}`,
      );
    }
    typed = await ctx.infra.prompt.secret(`Keystone password of the owner of application credential ${id} (to delete it): `);
  }
  const token: TokenInfo = await authenticate(
    client,
    { kind: 'password', user: { id: userId }, password: password ?? typed!, source: password ? 'given' : 'typed' },
    undefined,
    { passcode: passcodeAsker(ctx.infra.prompt), loginHint: async () => 'kubecred logout on a terminal' },
  );
  return { userId, token: token.id, id: id! };
}

/** Deletes the credential if setup-context made it; `gone` says whether it no longer exists. */
async function deleteCredential(client: KeystoneClient, d: Deletion): Promise<{ line: string; gone: boolean }> {
  const found = await client.findApplicationCredential(d.token, d.userId, { id: d.id });
  const vanished = { line: `application credential ${d.id} no longer exists in Keystone`, gone: true };
  if (!found) return vanished;
  if (!found.name.startsWith(APP_CRED_PREFIX)) {
    return {
      line: `left application credential ${found.name} (${d.id}) and its secret alone: kubecred setup-context did not create it`,
      gone: false,
    };
  }
  const deleted = await client.deleteApplicationCredential(d.token, d.userId, d.id);
  return deleted ? { line: `deleted application credential ${found.name} (${d.id}) in Keystone`, gone: true } : vanished;
}

export async function keystoneLogout(
  ctx: ProviderContext,
  s: KeystoneSettings,
  previous: CacheEntry | undefined,
  options: Record<string, unknown>,
): Promise<string[]> {
  const client = clientFor(s, ctx.infra);
  const lines: string[] = [];
  const deletion = options.deleteApplicationCredential === true ? await prepareDeletion(ctx, s, previous, client) : undefined;
  const token = cachedToken(previous, ctx.infra.clock.now());
  if (token) {
    try {
      const outcome = await client.revokeToken(token);
      lines.push(
        outcome === 'revoked'
          ? `revoked the Keystone token of ${previous?.label ?? describeUser(s.user)}`
          : 'the cached Keystone token was already invalid',
      );
    } catch (err) {
      lines.push(`could not revoke the Keystone token (${oneLine(err)}); it stays valid until ${previous!.expiresAt}`);
    }
  }
  if (deletion) {
    let outcome: { line: string; gone: boolean };
    try {
      outcome = await deleteCredential(client, deletion);
    } finally {
      await client.revokeToken(deletion.token).catch(() => undefined);
    }
    lines.push(outcome.line);
    if (outcome.gone && (await ctx.secrets.delete(APP_CRED_SECRET))) lines.push('removed the stored application credential secret');
  } else if (s.applicationCredential && (await ctx.secrets.get(APP_CRED_SECRET)) !== undefined) {
    // logout ends the session; the credential is configuration, kept so kubectl works again unattended.
    const id = 'id' in s.applicationCredential ? s.applicationCredential.id : s.applicationCredential.name;
    lines.push(
      `kept application credential ${id} and its secret (the next kubectl gets a new token with it): add --delete-application-credential to delete it`,
    );
  }
  return lines;
}
