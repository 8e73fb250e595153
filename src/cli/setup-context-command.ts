// `kubecred setup-context <provider>`: each provider registers its own subcommand.
import type { Command } from 'commander';
import { registerOidcSetup } from './setup-context-oidc.js';
import { registerKeystoneSetup } from './setup-context-keystone.js';

export function registerSetupContext(program: Command): void {
  const setup = program
    .command('setup-context')
    .description('write cluster, user and context for a cluster into the kubeconfig, once');
  registerOidcSetup(setup);
  registerKeystoneSetup(setup);
}
