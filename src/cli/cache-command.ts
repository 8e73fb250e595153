// `kubecred cache list|reset`. Only what the help shows is imported here (the default cache dir
// is node:path only); what the commands do is in cache-actions.ts, loaded when one runs.
import { UsageError } from '../shared/errors.js';
import { Command, Option } from 'commander';
import { defaultCacheDir } from '../store/paths.js';
import type { ProviderModule } from '../providers/types.js';

export function registerCache(program: Command, modules: readonly ProviderModule[]): void {
  const cache = program.command('cache').description('inspect or clear the token cache');
  cache
    .command('list')
    .description('list cached credentials: key, provider, identity, expiry, storage')
    .option('--token-cache-dir <dir>', 'cache directory', defaultCacheDir(process.env))
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (opts: { tokenCacheDir: string; output: string }) => {
      await (await import('./cache-actions.js')).cacheList(modules, opts);
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
      await (await import('./cache-actions.js')).cacheReset(modules, opts);
    });
}
