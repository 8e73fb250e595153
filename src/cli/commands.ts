// Every command but get-token, registered in the order the help lists them. One module for all of
// them: main.ts loads it with a single import() (one chunk instead of one per command), and each
// command loads what its action needs only when the action runs, so a help screen stays small.
import type { Command } from 'commander';
import type { ProviderModule } from '../providers/types.js';
import { registerSetupContext } from './setup-context-command.js';
import { registerLoginLogout } from './login-command.js';
import { registerCache } from './cache-command.js';
import { registerFetchKubeconfig } from './fetch-kubeconfig-command.js';
import { registerConvert } from './convert-command.js';
import { registerWhoami } from './whoami-command.js';
import { registerDoctor } from './doctor-command.js';
import { registerCompletion } from './completion-command.js';

export function registerOtherCommands(program: Command, modules: readonly ProviderModule[]): void {
  registerSetupContext(program, modules);
  registerLoginLogout(program, modules);
  registerCache(program, modules);
  registerFetchKubeconfig(program);
  registerConvert(program, modules);
  registerWhoami(program, modules);
  registerDoctor(program, modules);
  registerCompletion(program, modules);
}
