// Builds the ExecCredential kubectl reads from our stdout (a hit record keeps it verbatim). Imports nothing.
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

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * RFC 3339 in UTC without fractional seconds, as Go's time.RFC3339 prints it. By hand, not with
 * Date's toISOString: the first Date formatting loads the local time zone (~0.3 ms of a get-token run),
 * which a UTC string does not need. Days → civil date after Howard Hinnant's days_from_civil inverse.
 */
export function rfc3339(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const days = Math.floor(seconds / 86400);
  const inDay = seconds - days * 86400;
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  const time = `${pad(Math.floor(inDay / 3600))}:${pad(Math.floor((inDay % 3600) / 60))}:${pad(inDay % 60)}`;
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${time}Z`;
}

/** A credential is usable when more than the margin remains before it expires. */
export function isFresh(expiresAtMs: number, nowMs: number, marginMs: number): boolean {
  return expiresAtMs - nowMs > marginMs;
}

/**
 * The margin kept for one credential: --min-validity, unless the credential lives less than twice
 * that (an IdP issuing 20 s tokens under the default 60 s): then a quarter of its lifetime, so it
 * is still served from the cache for most of its life instead of failing or being fetched anew on
 * every kubectl run. Computed from the entry itself, so every answer from one entry agrees.
 */
export function marginFor(minValidityMs: number, obtainedAtMs: number, expiresAtMs: number): number {
  const lifetime = expiresAtMs - obtainedAtMs;
  if (!Number.isFinite(lifetime) || lifetime <= 0 || lifetime >= 2 * minValidityMs) return minValidityMs;
  return Math.floor(lifetime / 4);
}
