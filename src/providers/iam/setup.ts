// `setup-context iam`: find or register the issuer's client, log in (device code by default) to
// prove everything works, and hand the use case exec args carrying the client id only; the refresh
// token (and a --client-secret-stdin secret) go to the secret store, the token into the cache.
import type { ProviderContext, SetupContext, SetupPlan, SetupRequest } from '../types.js';
import { UsageError } from '../../shared/errors.js';
import { booleanFlag, parseFlags } from '../../exec/flags.js';
import { cacheKey } from '../../store/cache-key.js';
import type { SecretStore } from '../../store/secret-store.js';
import { provider as oidcEngine } from '../oidc/provider.js';
import { claimFields } from '../oidc/setup.js';
import { iamFetch, resolveClient } from './client.js';
import { checked, fromAgent, labelOf } from './credential.js';
import { iamGetTokenFlags } from './flags.js';
import { iamIdentity } from './identity.js';
import { deleteRegistration, saveRegistration } from './registration.js';
import { engineSettings, iamSettings } from './settings.js';

/** Collects what the login stores (the refresh token) so the use case can write it under the key. */
class CollectingSecrets implements SecretStore {
  readonly backend = 'disk' as const;
  readonly values: Record<string, string> = {};
  async get(name: string): Promise<string | undefined> {
    return this.values[name];
  }
  async set(name: string, value: string): Promise<void> {
    this.values[name] = value;
  }
  async delete(name: string): Promise<boolean> {
    const had = name in this.values;
    delete this.values[name];
    return had;
  }
}

function hasFlag(args: readonly string[], name: string): boolean {
  return args.some((a) => a === `--${name}` || a.startsWith(`--${name}=`));
}

export async function iamSetup(ctx: SetupContext, request: SetupRequest): Promise<SetupPlan> {
  const s = iamSettings(request.values, ctx.infra.env);
  const { log } = ctx.infra;
  const host = new URL(s.issuerUrl).host;
  // The issuer goes into the kubeconfig exactly as used, even the default one.
  const args = hasFlag(request.passArgs, 'issuer-url') ? [...request.passArgs] : [`--issuer-url=${s.issuerUrl}`, ...request.passArgs];
  const login = !booleanFlag(request.values, 'no-login');
  const lines: string[] = [];
  const installHint = `kubecred logs you in to ${host} for this cluster: install it (npm install -g kubecred) and put it on PATH`;

  if (request.stdinSecret !== undefined && !s.clientId) {
    throw new UsageError('--client-secret-stdin is the secret of --client-id: a client kubecred registers keeps its secret by itself');
  }
  if (s.agentAccount) {
    const warm = login ? await fromAgent(ctx, s) : undefined;
    if (warm) lines.push(`oidc-agent's account ${s.agentAccount} works: logged in as ${warm.label ?? 'someone'}`);
    return { args, warm, installHint, lines };
  }

  const shared = ctx.sharedSecrets(s.issuerUrl);
  const client = (await resolveClient(shared, s, log, { register: true, save: false }))!;
  const registration = client.registration;
  if (!s.clientId) args.push(`--client-id=${client.clientId}`);
  if (registration) {
    lines.push(
      registration.createdNow
        ? `registered client ${client.clientId} at ${host} (its secret stays in the secret store, shared by every context on this issuer)`
        : `using client ${client.clientId}, registered at ${host} earlier`,
    );
    if (registration.addedScopes?.length) lines.push(`added scope ${registration.addedScopes.join(' ')} to client ${client.clientId}`);
  }
  const secrets = new CollectingSecrets();
  if (request.stdinSecret !== undefined) await secrets.set('client_secret', request.stdinSecret);
  const { values } = parseFlags(iamGetTokenFlags, args, {});
  const key = cacheKey(iamIdentity(values));

  let warm;
  if (login) {
    const loginCtx: ProviderContext = {
      ...ctx,
      secrets,
      key,
      contextName: request.contextName,
      loginCommand: async () => `kubecred login --context ${request.contextName}`,
    };
    try {
      const engine = engineSettings(s, client.clientId, client.clientSecret);
      warm = await checked(loginCtx, s, await oidcEngine.obtain(loginCtx, engine, undefined, 'login'));
    } catch (err) {
      // Nothing half done: a client registered for this failed setup goes again.
      if (registration?.createdNow) await deleteRegistration(iamFetch(s), registration.record).catch(() => '');
      throw err;
    }
    const token = 'token' in warm.material ? warm.material.token : '';
    warm = { ...warm, label: warm.label ?? labelOf(token) };
    lines.push(
      `logged in as ${warm.label ?? 'someone'}; the ${s.useIdToken ? 'ID' : 'access'} token${s.audience ? ` is for audience ${s.audience} and` : ''} is valid until ${warm.expiresAt.toISOString()}`,
    );
    for (const [name, value] of claimFields(token)) lines.push(`  ${name}: ${Array.isArray(value) ? value.join(', ') : value}`);
  }

  let rollback: SetupPlan['rollback'];
  if (registration) {
    const record = registration.record;
    const contexts = record.contexts.includes(request.contextName) ? record.contexts : [...record.contexts, request.contextName];
    await saveRegistration(shared, registration.name, { ...record, contexts });
    rollback = async () => {
      if (registration.createdNow) {
        await shared.delete(registration.name);
        await deleteRegistration(iamFetch(s), record).catch(() => '');
      } else {
        await saveRegistration(shared, registration.name, record);
      }
    };
  }
  return { args, secrets: Object.keys(secrets.values).length ? secrets.values : undefined, warm, installHint, lines, rollback };
}
