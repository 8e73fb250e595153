// The cache key names one identity: sha256 of the canonical JSON of the settings that define it.
// Canonical = object keys sorted at every depth, undefined dropped; callers sort set-like lists
// (scopes) themselves, because only they know which lists are sets. Imports nothing from node: a
// refresh would pay for node:crypto before its request (see sha256.ts).
import { sha256Hex } from './sha256.js';

export type IdentityValue = string | number | boolean | null | IdentityValue[] | { [k: string]: IdentityValue | undefined };
export type Identity = { provider: string } & { [k: string]: IdentityValue | undefined };

export function canonicalJson(value: IdentityValue | undefined): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return '[' + value.map((v) => canonicalJson(v)).join(',') + ']';
  const keys = Object.keys(value)
    .filter((k) => value[k] !== undefined)
    .sort();
  return '{' + keys.map((k) => JSON.stringify(k) + ':' + canonicalJson(value[k])).join(',') + '}';
}

export function cacheKey(identity: Identity): string {
  return sha256Hex(canonicalJson(identity));
}

/** Sorted, de-duplicated copy: for lists whose order carries no meaning. */
export function asSet(values: readonly string[]): string[] {
  return [...new Set(values)].sort();
}
