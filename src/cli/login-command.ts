// `kubecred login --context NAME` and `kubecred logout --context NAME`. Infrastructure and the use
// cases (kubeconfig, stores, providers) load when the command runs, not for a help screen.
import { Command } from 'commander';
import type { ProviderModule } from '../providers/types.js';

/** Both commands need the same two modules; loaded together. */
function loadLoginLogout() {
  return Promise.all([import('../infra/node-infra.js'), import('../usecases/login-logout.js')]);
}

export function registerLoginLogout(program: Command, modules: readonly ProviderModule[]): void {
  program
    .command('login')
    .description('log in for a context now: warms the token cache and prints who you are')
    .requiredOption('--context <name>', 'kubeconfig context')
    .option('--kubeconfig <file>', 'kubeconfig file')
    .option('-v, --verbose', 'explain what happens on stderr')
    .action(async (opts: { context: string; kubeconfig?: string; verbose?: boolean }) => {
      const [{ nodeInfrastructure }, { login }] = await loadLoginLogout();
      const interactive = process.stdin.isTTY === true;
      const infra = nodeInfrastructure({ verbose: opts.verbose === true, interactive });
      for (const line of await login(infra, { modules, contextName: opts.context, kubeconfig: opts.kubeconfig, interactive }))
        process.stdout.write(line + '\n');
    });
  program
    .command('logout')
    .description("forget a context's tokens and stored secrets, revoking them at the provider where it can")
    .requiredOption('--context <name>', 'kubeconfig context')
    .option('--kubeconfig <file>', 'kubeconfig file')
    .option('--delete-application-credential', 'Keystone: also delete the application credential setup-context created')
    .option('--unregister', 'IAM: also delete the client kubecred registered, when no other context uses it')
    .option('-v, --verbose', 'explain what happens on stderr')
    .action(
      async (opts: {
        context: string;
        kubeconfig?: string;
        verbose?: boolean;
        deleteApplicationCredential?: boolean;
        unregister?: boolean;
      }) => {
        // A terminal lets a provider ask what revocation needs (Keystone: the password to delete an
        // application credential); without one it says what to set instead.
        const [{ nodeInfrastructure }, { logout }] = await loadLoginLogout();
        const infra = nodeInfrastructure({ verbose: opts.verbose === true, interactive: process.stdin.isTTY === true });
        const lines = await logout(infra, {
          modules,
          contextName: opts.context,
          kubeconfig: opts.kubeconfig,
          options: { deleteApplicationCredential: opts.deleteApplicationCredential === true, unregister: opts.unregister === true },
        });
        for (const line of lines) process.stdout.write(line + '\n');
      },
    );
}
