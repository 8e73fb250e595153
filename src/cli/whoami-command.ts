// `kubecred whoami [--context NAME] [-o text|json|yaml] [--server] [--access]`. The use case
// (kubeconfig, API client) loads when the command runs, not for a help screen.
import { Command, Option } from 'commander';
import type { ProviderModule } from '../providers/types.js';

export function registerWhoami(program: Command, modules: readonly ProviderModule[]): void {
  program
    .command('whoami')
    .description('who the cached credential of a context speaks for (no network unless --server or --access)')
    .option('--context <name>', 'kubeconfig context (default: the current one)')
    .option('--kubeconfig <file>', 'kubeconfig file')
    .option('--server', 'also ask the API server (SelfSubjectReview)')
    .option('--access', "also show what you may do in the context's namespace (SelfSubjectRulesReview)")
    .addOption(new Option('-o, --output <format>', 'output format').choices(['text', 'json', 'yaml']).default('text'))
    .action(async (opts: { context?: string; kubeconfig?: string; server?: boolean; access?: boolean; output: string }) => {
      const { whoami, whoamiLines } = await import('../usecases/whoami.js');
      const report = await whoami({
        kubeconfig: opts.kubeconfig,
        context: opts.context,
        env: process.env,
        server: opts.server === true,
        access: opts.access === true,
        nowMs: Date.now(),
        modules,
      });
      if (opts.output === 'json') process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else if (opts.output === 'yaml') process.stdout.write((await import('yaml')).stringify(report));
      else for (const line of whoamiLines(report)) process.stdout.write(line + '\n');
    });
}
