// JWTs and JWK sets as data: decoding and shape checks, no node:crypto (jws.ts verifies). The
// direct refresh reads claims and keys before it needs the signature check, and loads that (with
// node:crypto) while the IdP is still answering.
import { KubecredError } from '../../shared/errors.js';

export interface Jwk {
  kty: string;
  kid?: string;
  use?: string;
  alg?: string;
  crv?: string;
  key_ops?: string[];
  [field: string]: unknown;
}

export interface JwkSet {
  keys: Jwk[];
}

export function isJwkSet(value: unknown): value is JwkSet {
  const keys = (value as { keys?: unknown } | null)?.keys;
  return Array.isArray(keys) && keys.every((k) => typeof k === 'object' && k !== null && typeof (k as Jwk).kty === 'string');
}

export function decodeSegment(segment: string): unknown {
  return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
}

/** The payload of a JWT, unverified (for labels and expiry after verification). */
export function jwtPayload(token: string): Record<string, unknown> {
  const parts = token.split('.');
  if (parts.length !== 3) throw new Error('not a JWT');
  const payload = decodeSegment(parts[1]!);
  if (typeof payload !== 'object' || payload === null) throw new Error('JWT payload is not an object');
  return payload as Record<string, unknown>;
}

/** The JWK set from a jwks_uri answer, or a one-line error naming the host. */
export async function jwksFromResponse(uri: string, status: number, json: () => unknown): Promise<JwkSet> {
  const host = new URL(uri).host;
  if (status < 200 || status > 299) throw new KubecredError(`fetching the IdP's signing keys: ${host} answered HTTP ${status}`);
  let body: unknown;
  try {
    body = await json();
  } catch (err) {
    if (err instanceof KubecredError) throw err; // too large
    throw new KubecredError(`fetching the IdP's signing keys: ${host} did not answer with JSON`);
  }
  if (!isJwkSet(body)) throw new KubecredError(`fetching the IdP's signing keys: ${uri} is not a JWK set`);
  return body;
}
