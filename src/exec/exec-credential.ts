// Builds the ExecCredential kubectl reads from our stdout. Imports nothing: cache-hit path.
import type { ExecApiVersion } from './exec-info.js';

/** What a provider hands kubectl: a bearer token, or a client certificate and its key (PEM). */
export type CredentialMaterial = { token: string } | { clientCertificateData: string; clientKeyData: string };

/**
 * expirationTimestamp is the real expiry minus the margin, so kubectl comes back to us while the
 * API server would still accept the credential (kubectl itself keeps no margin).
 */
export function formatExecCredential(
  apiVersion: ExecApiVersion,
  material: CredentialMaterial,
  expiresAtMs: number,
  minValidityMs: number,
): string {
  const status: Record<string, string> = {};
  if ('token' in material) {
    status.token = material.token;
  } else {
    status.clientCertificateData = material.clientCertificateData;
    status.clientKeyData = material.clientKeyData;
  }
  status.expirationTimestamp = rfc3339(expiresAtMs - minValidityMs);
  return JSON.stringify({ kind: 'ExecCredential', apiVersion, spec: {}, status }) + '\n';
}

/** RFC 3339 without fractional seconds, as Go's time.RFC3339 prints it. */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** A credential is usable when more than the margin remains before it expires. */
export function isFresh(expiresAtMs: number, nowMs: number, marginMs: number): boolean {
  return expiresAtMs - nowMs > marginMs;
}

/**
 * The margin kept for one credential: --min-validity, unless the credential lives less than twice
 * that (an IdP issuing 20 s tokens under the default 60 s): then a quarter of its lifetime, so it
 * is still served from the cache for most of its life instead of failing or being fetched anew on
 * every kubectl run. Computed from the entry itself, so the fast path and the full CLI agree.
 */
export function marginFor(minValidityMs: number, obtainedAtMs: number, expiresAtMs: number): number {
  const lifetime = expiresAtMs - obtainedAtMs;
  if (!Number.isFinite(lifetime) || lifetime <= 0 || lifetime >= 2 * minValidityMs) return minValidityMs;
  return Math.floor(lifetime / 4);
}
