// Makes every cached credential in a cache dir expired: each entry's expiresAt moves into the past,
// edited in place behind kubecred's back (as no kubecred does). The hit records made from them are
// left alone: they name the entry files as they were, so the fast path must stop serving them.
import { readFileSync, writeFileSync } from 'node:fs';
import { listKeys } from '../../src/store/token-cache.js';
import { tokenFile } from '../../src/store/paths.js';

export function expireCacheEntries(cacheDir: string, agoMs = 60_000): void {
  for (const key of listKeys(cacheDir)) {
    const path = tokenFile(cacheDir, key);
    const entry = JSON.parse(readFileSync(path, 'utf8')) as { expiresAt: string };
    entry.expiresAt = new Date(Date.now() - agoMs).toISOString();
    writeFileSync(path, JSON.stringify(entry) + '\n', { mode: 0o600 });
  }
}
