// `kubecred get-token <provider> [flags]` — the exec credential plugin kubectl runs.
import type { Command } from 'commander';
import type { ProviderModule } from '../providers/types.js';
import { parseExecInfo } from '../exec/exec-info.js';
import { nodeInfrastructure } from '../infra/node-infra.js';
import { getToken } from '../usecases/get-token.js';
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
      .action(async (_options: unknown, command: Command) => {
        const verbose = command.args.some((a) => a === '-v' || a === '--verbose' || a === '--verbose=true');
        const execInfo = parseExecInfo(process.env.KUBERNETES_EXEC_INFO, process.stdin.isTTY === true);
        const infra = nodeInfrastructure({ verbose, interactive: execInfo.interactive });
        const { output } = await getToken(infra, { module, modules, argv: command.args, execInfo });
        process.stdout.write(output);
      });
  }
}
