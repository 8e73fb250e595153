// `kubecred convert-kubeconfig [--context NAME | --all] [--kubeconfig F] [--dry-run]`. The use
// case (kubeconfig, yaml, secret store) loads when the command runs, not for a help screen.
import type { Command } from 'commander';
import type { ProviderModule } from '../providers/types.js';

export function registerConvert(program: Command, modules: readonly ProviderModule[]): void {
  program
    .command('convert-kubeconfig')
    .description(
      'rewrite kubelogin, auth-provider oidc and client-keystone-auth users into kubecred exec entries (names, clusters and contexts stay)',
    )
    .option('--context <name>', 'convert only the user of this context (default: the current context)')
    .option('--all', 'convert every user kubecred can take over')
    .option('--kubeconfig <file>', 'kubeconfig file (default: KUBECONFIG or ~/.kube/config)')
    .option('--dry-run', 'print a unified diff of what would change and write nothing')
    .option('--exec-command <command>', 'command the new exec entries run (default: kubecred when it is on PATH, else this installation)')
    .action(async (opts: { context?: string; all?: boolean; kubeconfig?: string; dryRun?: boolean; execCommand?: string }) => {
      const [
        { openSecretStore },
        { convertKubeconfig, convertReport },
        { resolveExecCommand },
        { chooseExecApiVersion, kubectlMinorVersion },
      ] = await Promise.all([
        import('../store/secret-store.js'),
        import('../usecases/convert-kubeconfig.js'),
        import('../usecases/exec-command.js'),
        import('../usecases/kubectl-version.js'),
      ]);
      const env = process.env;
      const exec = resolveExecCommand({ explicit: opts.execCommand, env, launcherPath: process.argv[1] ?? 'kubecred' });
      const result = await convertKubeconfig({
        kubeconfig: opts.kubeconfig,
        env,
        context: opts.context,
        all: opts.all === true,
        dryRun: opts.dryRun === true,
        modules,
        execCommand: exec.command,
        defaultApiVersion: chooseExecApiVersion(kubectlMinorVersion(env)).apiVersion,
        openSecrets: (cacheDir) => openSecretStore({ cacheDir, notice: (m) => process.stderr.write(m + '\n') }),
        now: new Date(),
      });
      if (result.diff) process.stdout.write(result.diff);
      for (const line of convertReport(result)) (opts.dryRun ? process.stderr : process.stdout).write(line + '\n');
      if (opts.dryRun) process.stderr.write(result.diff ? 'dry run: nothing was written\n' : 'dry run: nothing would change\n');
      if (result.users.some((u) => u.outcome === 'refused')) {
        process.stderr.write(
          'kubecred: some users were left as they were (see ✘ above): fix or remove the flags named, then run convert-kubeconfig again\n',
        );
        process.exitCode = 1;
      }
    });
}
