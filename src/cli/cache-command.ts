// `kubecred cache list|reset`. Only what the help shows is imported here (the default cache dir
// is node:path only); the use cases, token store and kubeconfig load when an action runs.
import { UsageError } from '../shared/errors.js';
import { Command, Option } from 'commander';
import { defaultCacheDir } from '../store/paths.js';
import { expandHome } from '../exec/paths.js';
import type { ProviderModule } from '../providers/types.js';

export function registerCache(program: Command, modules: readonly ProviderModule[]): void {
  const dirOf = (dir: string) => expandHome(dir, process.env);
  const cache = program.command('cache').description('inspect or clear the token cache');
  cache
    .command('list')
    .description('list cached credentials: key, provider, identity, expiry, storage')
    .option('--token-cache-dir <dir>', 'cache directory', defaultCacheDir(process.env))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (opts: { tokenCacheDir: string; output: string }) => {
      const { listCache, relativeTime } = await import('../usecases/cache.js');
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
    });
  cache
    .command('reset')
    .description('remove cached tokens of one context, or all (the secret store keeps refresh tokens and passwords: see logout)')
    .option('--context <name>', 'kubeconfig context whose cached token to remove')
    .option('--all', 'remove every cached token')
    .option('--kubeconfig <file>', 'kubeconfig file')
    .option('--token-cache-dir <dir>', 'cache directory (with --all)', defaultCacheDir(process.env))
    .action(async (opts: { context?: string; all?: boolean; kubeconfig?: string; tokenCacheDir: string }) => {
      if (!opts.context === !opts.all) throw new UsageError('cache reset needs exactly one of --context NAME or --all');
      const { resetCache } = await import('../usecases/cache.js');
      if (opts.all) {
        const removed = await resetCache(dirOf(opts.tokenCacheDir), 'all');
        process.stderr.write(`removed ${removed.length} cached credential(s) from ${dirOf(opts.tokenCacheDir)}\n`);
        return;
      }
      const { resolveContext } = await import('../usecases/resolve-context.js');
      const ctx = resolveContext(modules, opts.kubeconfig, opts.context!, process.env);
      const removed = await resetCache(ctx.common.cacheDir, [ctx.key]);
      process.stderr.write(
        removed.length
          ? `removed the cached credential of context ${ctx.contextName} (key ${ctx.key.slice(0, 12)}…) from ${ctx.common.cacheDir}\n`
          : `context ${ctx.contextName} had no cached credential (key ${ctx.key.slice(0, 12)}…); nothing removed\n`,
      );
    });
}
