// The INDIGO IAM provider: the OIDC engine (flows, one-request refresh, verified ID tokens) with a
// client registered at the issuer, IAM's audience parameter on every request, and the access token
// — checked against the audience — handed to kubectl. Or tokens from a running oidc-agent.
import type { CredentialProvider, ObtainedCredential, ObtainMode, ProviderContext } from '../types.js';
import type { CacheEntry } from '../../store/token-cache.js';
import { provider as oidcEngine } from '../oidc/provider.js';
import { iamFetch, resolveClient } from './client.js';
import { checked, fromAgent, labelOf } from './credential.js';
import { deleteRegistration, saveRegistration } from './registration.js';
import { engineSettings, iamSettings, type IamSettings } from './settings.js';
import { iamSetup } from './setup.js';
import { describeIam } from './describe.js';

async function obtain(
  ctx: ProviderContext,
  s: IamSettings,
  previous: CacheEntry | undefined,
  mode: ObtainMode,
): Promise<ObtainedCredential> {
  if (s.agentAccount) return fromAgent(ctx, s);
  const client = (await resolveClient(ctx.sharedSecrets(s.issuerUrl), s, ctx.infra.log, { register: true, save: true }))!;
  const engine = engineSettings(s, client.clientId, client.clientSecret);
  const got = await oidcEngine.obtain(ctx, engine, previous, mode);
  const result = await checked(ctx, s, got);
  return { ...result, label: result.label ?? ('token' in result.material ? labelOf(result.material.token) : undefined) };
}

async function logout(
  ctx: ProviderContext,
  s: IamSettings,
  previous: CacheEntry | undefined,
  options: Record<string, unknown>,
): Promise<string[]> {
  if (s.agentAccount) {
    return [`oidc-agent keeps account ${s.agentAccount}'s tokens: unload it with oidc-add -r ${s.agentAccount}`];
  }
  const shared = ctx.sharedSecrets(s.issuerUrl);
  const client = await resolveClient(shared, s, ctx.infra.log, { register: false, save: false });
  if (!client) return [];
  const lines = await oidcEngine.logout(ctx, engineSettings(s, client.clientId, client.clientSecret), previous, options);
  if (options.unregister !== true) return lines;
  const registration = client.registration;
  if (!registration) {
    lines.push(
      `client ${client.clientId} was not registered by kubecred: nothing to unregister (delete it in the IAM dashboard if you want)`,
    );
    return lines;
  }
  const others = registration.record.contexts.filter((c) => c !== ctx.contextName);
  if (others.length > 0) {
    await saveRegistration(shared, registration.name, { ...registration.record, contexts: others });
    lines.push(
      `kept the client registration ${client.clientId}: context${others.length > 1 ? 's' : ''} ${others.join(', ')} still use${others.length > 1 ? '' : 's'} it`,
    );
    return lines;
  }
  lines.push(await deleteRegistration(iamFetch(s), registration.record));
  await shared.delete(registration.name);
  return lines;
}

export const provider: CredentialProvider<IamSettings> = {
  settings: iamSettings,
  obtain,
  logout,
  setup: iamSetup,
  describe: describeIam,
};
