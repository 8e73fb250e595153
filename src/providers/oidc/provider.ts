// The OIDC credential provider: refresh without a person when a refresh token is stored, else log
// in with the chosen flow; logout revokes the refresh token. The spine (get-token) holds the
// per-identity lock around obtain(), so concurrent kubectl processes run one login between them.
// A refresh first tries the direct path (refresh-direct.ts: no openid-client, no fetch); the
// openid-client engine (session.ts) is loaded only for what that leaves over.
import type { CredentialProvider, ObtainedCredential, ObtainMode, ProviderContext } from '../types.js';
import type { CacheEntry } from '../../store/token-cache.js';
import { noticeOnce } from '../../store/secret-store.js';
import { oidcSetup } from './setup.js';
import { describeOidcEntry } from './describe.js';
import { oidcSettings, type OidcSettings } from './settings.js';
import { refreshDirectly } from './refresh-direct.js';
import type { EngineOptions } from './session.js';

const engine = () => import('./session.js');

async function obtain(
  ctx: ProviderContext,
  settings: OidcSettings,
  previous: CacheEntry | undefined,
  mode: ObtainMode,
): Promise<ObtainedCredential> {
  if (settings.clientSecretFromFlag) {
    // Once per identity and cache dir, not at every refresh: the point is made, the login must go on.
    noticeOnce(
      settings.cacheDir,
      `.notice-client-secret-flag-${ctx.key.slice(0, 16)}`,
      '--client-secret puts the client secret into your kubeconfig; run kubecred setup-context oidc --client-secret-stdin (it keeps the secret in the secret store) and drop the flag',
      (m) => ctx.infra.log.warn(m),
    );
  }
  const options: EngineOptions = { refresh: true };
  if (mode === 'auto' && settings.grantType !== 'client-credentials') {
    const direct = await refreshDirectly(ctx, settings, previous?.meta);
    if (direct.handled) return direct.credential;
    ctx.infra.log.debug(`no direct refresh (${direct.why}): the full OIDC engine takes over`);
    options.refresh = direct.loginNext !== true;
    options.unreachable = direct.unreachable;
  }
  return (await engine()).obtain(ctx, settings, previous, mode, options);
}

export const provider: CredentialProvider<OidcSettings> = {
  settings: oidcSettings,
  obtain,
  logout: async (ctx, settings, previous) => (await engine()).logout(ctx, settings, previous),
  setup: oidcSetup,
  describe: describeOidcEntry,
  adopt: async (user, environment) => (await import('./adopt.js')).adoptOidc(user, environment),
  doctor: async (input) => (await import('./check.js')).oidcDoctor(input),
};
