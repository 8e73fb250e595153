// The claim checks of a refreshed ID token (OpenID Connect Core 12.2 with 3.1.3.7), for the refresh
// that runs without openid-client (refresh-direct.ts). They are the checks openid-client (through
// oauth4webapi) makes on a refresh response, with its defaults: the alg the IdP advertises (RS256
// when it says nothing), iss, aud, azp, exp and nbf with 30 s of tolerance, and the claims that
// must be there. The signature is checked separately, against the cached JWKS (jws.ts).
import { KubecredError } from '../../shared/errors.js';
import { jwtPayload } from './jwt.js';

/** oauth4webapi's default clock tolerance. */
const TOLERANCE_S = 30;

export interface IdTokenExpectations {
  issuer: string;
  clientId: string;
  /** id_token_signing_alg_values_supported from discovery, if the IdP lists it. */
  algorithms?: unknown;
  nowMs: number;
}

function header(token: string): Record<string, unknown> {
  try {
    const h = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString('utf8')) as unknown;
    if (typeof h === 'object' && h !== null && !Array.isArray(h)) return h as Record<string, unknown>;
  } catch {
    // below
  }
  throw new KubecredError('the refreshed ID token has no readable JWT header; refusing it');
}

const refuse = (why: string): never => {
  throw new KubecredError(`the refreshed ID token ${why}; refusing it`);
};

/** Returns the claims of a refreshed ID token once they pass; a one-line KubecredError otherwise. */
export function checkRefreshedIdToken(token: string, expect: IdTokenExpectations): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) refuse('is not a signed JWT (encrypted ID tokens are not supported)');
  const alg = header(token).alg;
  const allowed = Array.isArray(expect.algorithms) ? expect.algorithms : ['RS256'];
  if (typeof alg !== 'string' || !allowed.includes(alg)) refuse(`is signed with ${JSON.stringify(alg)}, which the IdP does not advertise`);
  let claims: Record<string, unknown>;
  try {
    claims = jwtPayload(token);
  } catch {
    return refuse('has no readable payload');
  }
  if (Array.isArray(claims)) refuse('has no readable payload');
  for (const name of ['aud', 'exp', 'iat', 'iss', 'sub']) if (claims[name] === undefined) refuse(`has no ${name} claim`);
  const now = Math.floor(expect.nowMs / 1000);
  for (const name of ['exp', 'iat', 'nbf', 'auth_time'])
    if (claims[name] !== undefined && typeof claims[name] !== 'number') refuse(`has a ${name} claim that is not a number`);
  if ((claims.exp as number) <= now - TOLERANCE_S) refuse('has already expired (is this machine’s clock right?)');
  if (typeof claims.nbf === 'number' && claims.nbf > now + TOLERANCE_S) refuse('is not valid yet (is this machine’s clock right?)');
  if (claims.iss !== expect.issuer) refuse(`was issued by ${JSON.stringify(claims.iss)}, not ${JSON.stringify(expect.issuer)}`);
  const aud = claims.aud;
  if (typeof aud !== 'string' && !Array.isArray(aud)) refuse('has an aud claim that is neither a string nor a list');
  if (Array.isArray(aud) ? !aud.includes(expect.clientId) : aud !== expect.clientId)
    refuse(`is not meant for client ${JSON.stringify(expect.clientId)} (its audience)`);
  if (Array.isArray(aud) && aud.length !== 1) {
    if (claims.azp === undefined) refuse('names other audiences too and no authorized party (azp)');
    if (claims.azp !== expect.clientId) refuse(`was authorized for ${JSON.stringify(claims.azp)}, not ${JSON.stringify(expect.clientId)}`);
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') refuse('has no subject');
  return claims;
}
