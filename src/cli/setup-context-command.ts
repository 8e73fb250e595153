// `kubecred setup-context <provider>`: one subcommand per registered provider, its flags generated
// from the tables (src/usecases/setup-flags.ts) and parsed by the same parser get-token uses.
import { realpathSync } from 'node:fs';
import type { Command } from 'commander';
import type { ProviderModule } from '../providers/types.js';
import { nodeInfrastructure } from '../infra/node-infra.js';
import { readSecretFromStdin } from '../infra/stdin.js';
import { clusterSetupFlags, setupTable } from '../usecases/setup-flags.js';
import { setupWithProvider } from '../usecases/setup-provider.js';
import { renderFlagHelp } from './flag-help.js';

async function readSecret(prompt: string): Promise<string> {
  if (process.stdin.isTTY) return (await nodeInfrastructure({ verbose: false, interactive: true }).prompt.secret(prompt)).trim();
  return readSecretFromStdin();
}

export function registerSetupContext(program: Command, modules: readonly ProviderModule[]): void {
  const setup = program.command('setup-context').description('write cluster, user and context for a cluster into the kubeconfig, once');
  for (const module of modules) {
    const table = setupTable(module);
    const providerFlags = table.all.filter((f) => !clusterSetupFlags.includes(f) && f.setup !== 'never');
    setup
      .command(module.kind)
      .description(module.setupDescription)
      .helpOption('-h, --help', 'show the flags')
      .allowUnknownOption()
      .allowExcessArguments()
      .passThroughOptions()
      .addHelpText(
        'after',
        renderFlagHelp(clusterSetupFlags, 'Cluster and kubeconfig') +
          renderFlagHelp(providerFlags, `${module.kind} (written into the exec args unless marked setup only)`, module.setupFlags),
      )
      .action(async (_options: unknown, command: Command) => {
        await setupWithProvider(modules, module, command.args, {
          env: process.env,
          launcherPath: realpathSync(process.argv[1]!),
          stdout: (line) => void process.stdout.write(line + '\n'),
          stderr: (line) => void process.stderr.write(line + '\n'),
          stdinIsTTY: process.stdin.isTTY === true,
          readSecret,
          infra: nodeInfrastructure,
        });
      });
  }
}
