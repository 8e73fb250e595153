// The access token kubectl will send, checked as kube-apiserver will check it when an audience was
// asked: a JWT signed by a key the IAM publishes, whose `aud` holds the audience, not expired. The
// expiry kubectl is told comes from `exp`. A mismatch is caught here, with a line that says what
// came back, instead of as a bare 401 from the cluster.
import { KubecredError } from '../../shared/errors.js';
import { jwtPayload, type JwkSet } from '../oidc/jwt.js';

export interface CheckedAccessToken {
  expiresAt: Date;
  claims: Record<string, unknown>;
}

export interface AudienceCheckOptions {
  audience: string;
  /** The request parameter that carried it, for the hint. */
  audienceParam: string;
  nowMs: number;
  /** The IdP's keys: cached ones first (`fresh: false`), fetched again for an unknown key id. */
  jwks(fresh: boolean): Promise<JwkSet | undefined>;
}

function audiences(claims: Record<string, unknown>): string[] {
  const aud = claims.aud;
  if (typeof aud === 'string') return [aud];
  return Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : [];
}

export async function checkAudienceToken(token: string, options: AudienceCheckOptions): Promise<CheckedAccessToken> {
  const { audience } = options;
  let claims: Record<string, unknown>;
  try {
    claims = jwtPayload(token);
  } catch {
    throw new KubecredError(
      `the IAM answered with an opaque access token, not a JWT for audience ${JSON.stringify(audience)}: it ignored the audience (try --audience-param resource or aud)`,
    );
  }
  // Imported here: node:crypto then loads after the token request went out, not before (refresh-direct.ts).
  const { checkSignature } = await import('../oidc/jws.js');
  let check = checkSignature(token, await options.jwks(false));
  if (check.result === 'no-key') check = checkSignature(token, await options.jwks(true));
  if (check.result === 'no-key') {
    throw new KubecredError(
      `the access token is signed with key ${JSON.stringify(check.kid ?? '?')}, which the IAM does not publish; refusing it`,
    );
  }
  if (check.result === 'invalid') throw new KubecredError(`the access token is not genuine: ${check.reason}; refusing it`);
  const got = audiences(claims);
  if (!got.includes(audience)) {
    const said = got.length ? `audience ${got.map((a) => JSON.stringify(a)).join(', ')}` : 'no audience';
    throw new KubecredError(
      `the access token carries ${said}, not ${JSON.stringify(audience)}: the cluster would refuse it; check --audience (sent as ${options.audienceParam}) against the cluster's --oidc-client-id`,
    );
  }
  if (typeof claims.exp !== 'number') throw new KubecredError('the access token has no exp claim, so the cluster would refuse it');
  if (claims.exp * 1000 <= options.nowMs)
    throw new KubecredError("the IAM issued an access token that is already expired; check this machine's clock");
  return { expiresAt: new Date(claims.exp * 1000), claims };
}

/** The audience check for a token whose signature cannot be checked here (from oidc-agent). */
export function checkAudienceClaim(token: string, audience: string): void {
  let claims: Record<string, unknown>;
  try {
    claims = jwtPayload(token);
  } catch {
    return; // opaque: only the cluster can tell
  }
  const got = audiences(claims);
  if (!got.includes(audience)) {
    const said = got.length ? `audience ${got.map((a) => JSON.stringify(a)).join(', ')}` : 'no audience';
    throw new KubecredError(
      `oidc-agent handed out an access token with ${said}, not ${JSON.stringify(audience)}: the cluster would refuse it; check --audience`,
    );
  }
}
