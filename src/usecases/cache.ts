// `cache list` and `cache reset`: what is cached, and forgetting it.
import { openTokenStore } from '../store/token-store.js';
import { dropHitRecords } from '../store/hit-record.js';
import type { CacheEntry } from '../store/token-cache.js';
import type { ProviderModule } from '../providers/types.js';
import { identitySummary } from '../providers/describe.js';

export interface CacheRow {
  key: string;
  provider?: string;
  identity?: string;
  expiresAt?: string;
  expired?: boolean;
  storage?: string;
  problem?: string;
}

/** The provider's own one-line summary; a generic one for a provider this build does not know. */
async function summaryOf(modules: readonly ProviderModule[], entry: CacheEntry): Promise<string> {
  const module = modules.find((m) => m.kind === entry.provider);
  if (!module) return identitySummary(entry.identity, entry.label);
  return (await module.load()).describe(entry).summary;
}

export async function listCache(modules: readonly ProviderModule[], dir: string, nowMs: number): Promise<CacheRow[]> {
  const store = await openTokenStore({ dir, storage: 'disk', notice: () => {} });
  const rows: CacheRow[] = [];
  for (const item of await store.list()) {
    if ('problem' in item) {
      rows.push({ key: item.key, problem: item.problem });
      continue;
    }
    const e: CacheEntry = item.entry;
    rows.push({
      key: item.key,
      provider: e.provider,
      identity: await summaryOf(modules, e),
      expiresAt: e.expiresAt,
      expired: Date.parse(e.expiresAt) <= nowMs,
      storage: e.storage,
    });
  }
  return rows.sort((a, b) => (a.identity ?? '').localeCompare(b.identity ?? ''));
}

/** Removes cached tokens (not the secret store: the next get-token refreshes without a person). */
export async function resetCache(dir: string, keys: string[] | 'all'): Promise<string[]> {
  const store = await openTokenStore({ dir, storage: 'keyring', notice: () => {} });
  const targets = keys === 'all' ? (await store.list()).map((i) => i.key) : keys;
  const removed: string[] = [];
  for (const key of targets) if (await store.remove(key)) removed.push(key);
  // Each removal dropped its own records; `all` also drops any whose entry is already gone.
  if (keys === 'all') dropHitRecords(dir, 'all', Date.now());
  return removed;
}

export function relativeTime(targetMs: number, nowMs: number): string {
  const s = Math.round((targetMs - nowMs) / 1000);
  const abs = Math.abs(s);
  const text =
    abs < 90
      ? `${abs}s`
      : abs < 5400
        ? `${Math.round(abs / 60)}m`
        : abs < 172800
          ? `${Math.round(abs / 3600)}h`
          : `${Math.round(abs / 86400)}d`;
  return s >= 0 ? `in ${text}` : `${text} ago`;
}
