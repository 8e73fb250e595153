// `kubecred setup-context <provider>`: one subcommand per registered provider, its flags generated
// from the tables (src/usecases/setup-flags.ts) and parsed by the same parser get-token uses.
// The help needs only those tables; the setup use case (kubeconfig, yaml, stores, the provider)
// and the infrastructure load when the command runs.
import { realpathSync } from 'node:fs';
import type { Command } from 'commander';
import type { ProviderModule } from '../providers/types.js';
import { clusterSetupFlags, setupTable } from '../usecases/setup-flags.js';
import { renderFlagHelp } from './flag-help.js';

async function readSecret(prompt: string): Promise<string> {
  if (process.stdin.isTTY) {
    const { nodeInfrastructure } = await import('../infra/node-infra.js');
    return (await nodeInfrastructure({ verbose: false, interactive: true }).prompt.secret(prompt)).trim();
  }
  return (await import('../infra/stdin.js')).readSecretFromStdin();
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
        const [{ nodeInfrastructure }, { setupWithProvider }] = await Promise.all([
          import('../infra/node-infra.js'),
          import('../usecases/setup-provider.js'),
        ]);
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
