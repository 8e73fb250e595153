// `kubecred get-token <provider> [flags]` — the exec credential plugin kubectl runs.
import type { Command } from 'commander';
import type { ProviderModule } from '../providers/types.js';
import { renderFlagHelp } from './flag-help.js';

export function registerGetToken(program: Command, modules: readonly ProviderModule[]): void {
  const getTokenCommand = program
    .command('get-token')
    .description('print an ExecCredential for kubectl (used as the kubeconfig exec command)');
  for (const module of modules) {
    getTokenCommand
      .command(module.kind)
      .description(`get a credential from ${module.source}`)
      .helpOption('-h, --help', 'show the flags')
      .allowUnknownOption()
      .allowExcessArguments()
      .passThroughOptions()
      .addHelpText('after', renderFlagHelp(module.getTokenFlags))
      // Loaded when it runs: every help screen registers this command.
      .action(async (_options: unknown, command: Command) =>
        (await import('./get-token-run.js')).runGetTokenCommand(module, modules, command.args),
      );
  }
}
