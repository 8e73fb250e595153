// From a token response (via the OIDC engine) or oidc-agent to the credential kubectl gets: with
// an audience, the access token is checked the way kube-apiserver will check it.
import type { ObtainedCredential, ProviderContext } from '../types.js';
import { KubecredError } from '../../shared/errors.js';
import { isJwkSet, jwtPayload, type JwkSet } from '../oidc/jwt.js';
import { checkAudienceClaim, checkAudienceToken } from './access-token.js';
import { iamFetch } from './client.js';
import { agentAccessToken } from './oidc-agent.js';
import type { IamSettings } from './settings.js';

/** The IAM's signing keys: those the engine cached with the token, or fetched now. */
function keysFor(s: IamSettings, meta: Record<string, unknown> | undefined): (fresh: boolean) => Promise<JwkSet | undefined> {
  return async (fresh) => {
    if (!fresh) return isJwkSet(meta?.jwks) ? meta.jwks : undefined;
    const uri = (meta?.server as { jwks_uri?: unknown } | undefined)?.jwks_uri;
    if (typeof uri !== 'string') return undefined;
    const response = await iamFetch(s)(uri, { headers: { accept: 'application/json' } });
    const body: unknown = response.ok ? await response.json().catch(() => undefined) : undefined;
    return isJwkSet(body) ? body : undefined;
  };
}

/** With an audience the access token must be a JWT kube-apiserver will take; its `exp` is the expiry. */
export async function checked(ctx: Pick<ProviderContext, 'infra'>, s: IamSettings, got: ObtainedCredential): Promise<ObtainedCredential> {
  if (s.useIdToken || !s.audience || !('token' in got.material)) return got;
  const { expiresAt } = await checkAudienceToken(got.material.token, {
    audience: s.audience,
    audienceParam: s.audienceParam,
    nowMs: ctx.infra.clock.now(),
    jwks: keysFor(s, got.meta),
  });
  return { ...got, expiresAt };
}

export function labelOf(token: string): string | undefined {
  try {
    const claims = jwtPayload(token);
    for (const name of ['preferred_username', 'email', 'sub']) if (typeof claims[name] === 'string') return claims[name] as string;
  } catch {
    // opaque
  }
  return undefined;
}

export async function fromAgent(ctx: Pick<ProviderContext, 'infra'>, s: IamSettings): Promise<ObtainedCredential> {
  const token = await agentAccessToken(
    {
      socketPath: ctx.infra.env.OIDC_SOCK,
      account: s.agentAccount!,
      // What kubectl is promised (min-validity) plus a minute, so the token outlives its use.
      minValidSeconds: s.minValidityMs / 1000 + 60,
      audience: s.audience,
      scopes: s.extraScopes.length ? ['openid', 'profile', 'email', ...s.extraScopes] : undefined,
      timeoutMs: s.authTimeoutMs,
    },
    ctx.infra.clock.now(),
  );
  if (token.issuer && token.issuer !== s.issuerUrl) {
    throw new KubecredError(
      `oidc-agent's account ${s.agentAccount} belongs to ${token.issuer}, not --issuer-url ${s.issuerUrl}: pick the account of this issuer`,
    );
  }
  // The agent is this user's own process: the signature is for the cluster to check; the audience we can tell now.
  if (s.audience) checkAudienceClaim(token.accessToken, s.audience);
  return {
    material: { token: token.accessToken },
    expiresAt: token.expiresAt,
    label: labelOf(token.accessToken),
    meta: { agentAccount: s.agentAccount },
  };
}
