// Verifies a JWS (the ID token) against a JWK set with node:crypto. openid-client checks the ID
// token's claims but, over TLS, not its signature (it would fetch the JWKS on every run to do so);
// we keep the IdP's JWKS in the cache entry and verify locally, fetching it again only for an
// unknown key id. kube-apiserver verifies the signature too — this catches a bad token before
// kubectl sees a 401.
import { constants, createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import { KubecredError } from '../../shared/errors.js';
import { decodeSegment, type Jwk, type JwkSet } from './jwt.js';

interface AlgSpec {
  kty: 'RSA' | 'EC' | 'OKP';
  hash: string | null;
  pss?: boolean;
  crv?: string;
}

const ALGORITHMS: Record<string, AlgSpec> = {
  RS256: { kty: 'RSA', hash: 'sha256' },
  RS384: { kty: 'RSA', hash: 'sha384' },
  RS512: { kty: 'RSA', hash: 'sha512' },
  PS256: { kty: 'RSA', hash: 'sha256', pss: true },
  PS384: { kty: 'RSA', hash: 'sha384', pss: true },
  PS512: { kty: 'RSA', hash: 'sha512', pss: true },
  ES256: { kty: 'EC', hash: 'sha256', crv: 'P-256' },
  ES384: { kty: 'EC', hash: 'sha384', crv: 'P-384' },
  ES512: { kty: 'EC', hash: 'sha512', crv: 'P-521' },
  EdDSA: { kty: 'OKP', hash: null, crv: 'Ed25519' },
  Ed25519: { kty: 'OKP', hash: null, crv: 'Ed25519' },
};

export type SignatureCheck =
  | { result: 'valid' }
  | { result: 'invalid'; reason: string }
  /** No key in the set matches the token's kid/alg: the IdP may have rotated its keys. */
  | { result: 'no-key'; kid?: string };

function importKey(jwk: Jwk): KeyObject | undefined {
  try {
    return createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    return undefined;
  }
}

export function checkSignature(token: string, jwks: JwkSet | undefined): SignatureCheck {
  const parts = token.split('.');
  if (parts.length !== 3) return { result: 'invalid', reason: 'it is not a signed JWT' };
  let header: { alg?: unknown; kid?: unknown; crit?: unknown };
  try {
    header = decodeSegment(parts[0]!) as typeof header;
  } catch {
    return { result: 'invalid', reason: 'its header is not JSON' };
  }
  const alg = typeof header.alg === 'string' ? header.alg : '';
  const spec = ALGORITHMS[alg];
  // `none` and HMAC (HS256 …) are refused: kube-apiserver accepts only asymmetric signatures.
  if (!spec) return { result: 'invalid', reason: `it is signed with ${JSON.stringify(alg)}, which kubecred and kube-apiserver refuse` };
  if (header.crit !== undefined) return { result: 'invalid', reason: 'it carries critical header parameters kubecred does not understand' };
  const kid = typeof header.kid === 'string' ? header.kid : undefined;
  const candidates = (jwks?.keys ?? []).filter(
    (k) =>
      k.kty === spec.kty &&
      (kid === undefined || k.kid === kid) &&
      (k.alg === undefined || k.alg === alg) &&
      (k.use === undefined || k.use === 'sig') &&
      (k.key_ops === undefined || k.key_ops.includes('verify')) &&
      (spec.crv === undefined || k.crv === spec.crv),
  );
  if (candidates.length === 0) return { result: 'no-key', kid };
  const data = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2]!, 'base64url');
  for (const jwk of candidates) {
    const key = importKey(jwk);
    if (!key) continue;
    const ok =
      spec.kty === 'RSA'
        ? verify(
            spec.hash,
            data,
            spec.pss ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST } : key,
            signature,
          )
        : spec.kty === 'EC'
          ? verify(spec.hash, data, { key, dsaEncoding: 'ieee-p1363' }, signature)
          : verify(null, data, key, signature);
    if (ok) return { result: 'valid' };
  }
  return { result: 'invalid', reason: `its signature does not verify with the IdP's key${kid ? ` ${JSON.stringify(kid)}` : ''}` };
}

/**
 * Verifies an ID token's signature with the cached JWKS; for a key id the set lacks (the IdP may
 * have rotated its keys), fetches the set once more through `refetch`.
 */
export async function verifyWithKeys(idToken: string, cached: JwkSet | undefined, refetch: () => Promise<JwkSet>): Promise<void> {
  let check = checkSignature(idToken, cached);
  if (check.result === 'no-key') check = checkSignature(idToken, await refetch());
  if (check.result === 'no-key') {
    throw new KubecredError(
      `the ID token is signed with key ${JSON.stringify(check.kid ?? '?')}, which the IdP does not publish; refusing it`,
    );
  }
  if (check.result === 'invalid') throw new KubecredError(`the ID token is not genuine: ${check.reason}; refusing it`);
}
