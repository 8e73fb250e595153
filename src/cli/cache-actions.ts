// What `cache list` and `cache reset` do once they run; cache-command.ts loads this with one
// import() so that a help screen pays for none of it (the bundle evaluates an import()ed module
// only when it is imported). One module for both, since they share nearly all they import.
import { expandHome } from '../exec/paths.js';
import type { ProviderModule } from '../providers/types.js';
import { listCache, relativeTime, resetCache } from '../usecases/cache.js';
import { resolveContext } from '../usecases/resolve-context.js';

const dirOf = (dir: string) => expandHome(dir, process.env);

export async function cacheList(modules: readonly ProviderModule[], opts: { tokenCacheDir: string; output: string }): Promise<void> {
  const now = Date.now();
  const dir = dirOf(opts.tokenCacheDir);
  const rows = await listCache(modules, dir, now);
  if (opts.output === 'json') {
    process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    return;
  }
  if (rows.length === 0) {
    process.stderr.write(`no cached credentials in ${dir}\n`);
    return;
  }
  const table = [['KEY', 'PROVIDER', 'IDENTITY', 'EXPIRES', 'STORAGE']];
  for (const r of rows) {
    table.push(
      r.problem
        ? [r.key.slice(0, 12), '?', `unusable: ${r.problem}`, '-', '-']
        : [r.key.slice(0, 12), r.provider!, r.identity!, `${r.expiresAt} (${relativeTime(Date.parse(r.expiresAt!), now)})`, r.storage!],
    );
  }
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const row of table)
    process.stdout.write(
      row
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ')
        .trimEnd() + '\n',
    );
}

/** `opts` has exactly one of `context` and `all` (cache-command.ts checks before loading this). */
export async function cacheReset(
  modules: readonly ProviderModule[],
  opts: { context?: string; all?: boolean; kubeconfig?: string; tokenCacheDir: string },
): Promise<void> {
  if (opts.all) {
    const removed = await resetCache(dirOf(opts.tokenCacheDir), 'all');
    process.stderr.write(`removed ${removed.length} cached credential(s) from ${dirOf(opts.tokenCacheDir)}\n`);
    return;
  }
  const ctx = resolveContext(modules, opts.kubeconfig, opts.context!, process.env);
  const removed = await resetCache(ctx.common.cacheDir, [ctx.key]);
  process.stderr.write(
    removed.length
      ? `removed the cached credential of context ${ctx.contextName} (key ${ctx.key.slice(0, 12)}…) from ${ctx.common.cacheDir}\n`
      : `context ${ctx.contextName} had no cached credential (key ${ctx.key.slice(0, 12)}…); nothing removed\n`,
  );
}
