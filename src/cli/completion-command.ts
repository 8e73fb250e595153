// `kubecred completion bash|zsh|fish` and the hidden `kubecred __complete contexts`. The script
// generator and the kubeconfig reader (yaml) load only when these run, not for every help screen.
import type { Command } from 'commander';
import type { FlagSpec } from '../exec/flags.js';
import type { ProviderModule } from '../providers/types.js';
import { UsageError } from '../shared/errors.js';
import { setupTable } from '../usecases/setup-flags.js';

function spellings(flags: readonly FlagSpec[]): string[] {
  // Refused (secrets) and ignored flags are accepted, but never suggested.
  return flags
    .filter((f) => !f.ignored && !f.description.startsWith('refused'))
    .flatMap((f) => [`--${f.name}`, ...(f.aliases ?? []).map((a) => `--${a}`), ...(f.short ? [`-${f.short}`] : [])]);
}

/** get-token <kind> and setup-context <kind> take the registry's flag tables (parsed by us, not commander). */
function providerFlags(modules: readonly ProviderModule[], path: string[]): string[] {
  if (path.length !== 2) return [];
  const module = modules.find((m) => m.kind === path[1]);
  if (!module) return [];
  if (path[0] === 'get-token') return spellings(module.getTokenFlags);
  if (path[0] === 'setup-context') return spellings(setupTable(module).all.filter((f) => f.setup !== 'never'));
  return [];
}

export function registerCompletion(program: Command, modules: readonly ProviderModule[]): void {
  program
    .command('completion')
    .description('print a shell completion script: source <(kubecred completion bash)')
    .argument('<shell>', 'bash, zsh or fish')
    .action(async (shell: string, _opts: unknown, command: Command) => {
      const { bashScript, completionTree, fishScript, zshScript } = await import('./completion-scripts.js');
      const root = command.parent!;
      const tree = completionTree(root, (path) => providerFlags(modules, path));
      if (shell === 'bash') process.stdout.write(bashScript(tree));
      else if (shell === 'zsh') process.stdout.write(zshScript(tree));
      else if (shell === 'fish') process.stdout.write(fishScript(tree));
      else throw new UsageError(`completion takes bash, zsh or fish, not ${JSON.stringify(shell)}`);
    });
  program
    .command('__complete', { hidden: true })
    .argument('<what>', 'contexts')
    .option('--kubeconfig <file>', 'kubeconfig file')
    .action(async (what: string, opts: { kubeconfig?: string }) => {
      if (what !== 'contexts') throw new UsageError('__complete takes: contexts');
      try {
        const { readMerged, resolveKubeconfig } = await import('../kubeconfig/index.js');
        const { files } = resolveKubeconfig({ explicit: opts.kubeconfig, env: process.env });
        for (const c of readMerged(files).contexts) process.stdout.write(c.name + '\n');
      } catch {
        // completion must never print an error into the shell
      }
    });
}
