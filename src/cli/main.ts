// Wires commander to the use cases. Nothing here decides anything.
import { Command, CommanderError } from 'commander';
import { reportError, wantsVerbose } from './report-error.js';
import { VERSION } from '../shared/version.js';
import { providerModules } from '../providers/registry.js';
import type { ProviderModule } from '../providers/types.js';

/**
 * Commands are loaded on demand: kubectl's `get-token` runs (a refresh, a login) must not pay for
 * the kubeconfig writer, yaml or other providers' code. The others come in one module whose
 * actions import their use cases themselves, so a help screen loads only names and flag tables.
 */
async function registerCommands(program: Command, first: string | undefined, modules: readonly ProviderModule[]): Promise<void> {
  if (first === 'get-token') {
    (await import('./get-token-command.js')).registerGetToken(program, modules);
    return;
  }
  // Loaded side by side, registered in the order the help lists them.
  const [getTokenCommand, otherCommands] = await Promise.all([import('./get-token-command.js'), import('./commands.js')]);
  getTokenCommand.registerGetToken(program, modules);
  otherCommands.registerOtherCommands(program, modules);
}

export interface ProgramOptions {
  /** The providers; a test may pass its own registry. */
  modules?: readonly ProviderModule[];
}

export async function buildProgram(argv: readonly string[] = [], options: ProgramOptions = {}): Promise<Command> {
  const program = new Command('kubecred')
    .description('kubectl credentials for OIDC, OpenStack Keystone, INDIGO IAM and Cozystack tenant clusters')
    .version(VERSION, '--version')
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (text, write) => write(`kubecred: ${text.replace(/^error: /, '')}`) });
  await registerCommands(program, argv[0], options.modules ?? providerModules);
  applyRecursively(program, (c) => c.exitOverride());
  return program;
}

function applyRecursively(cmd: Command, fn: (c: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) applyRecursively(sub, fn);
}

/** Runs the CLI; returns the exit code: 0 ok, 1 runtime failure, 2 usage error. */
export async function main(argvGiven: string[], options: ProgramOptions = {}): Promise<number> {
  // `get-token` without a kind (a swapped kubelogin or client-keystone-auth line): infer it.
  const { withInferredKind } = await import('../providers/infer-kind.js');
  const argv = withInferredKind(
    argvGiven,
    (options.modules ?? providerModules).map((m) => ({ kind: m.kind, flags: m.getTokenFlags })),
  );
  const verbose = wantsVerbose(argv);
  try {
    await (await buildProgram(argv, options)).parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // commander already printed its one-line message.
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 0;
      return err.code === 'commander.executeSubCommandAsync' ? 1 : 2;
    }
    return reportError(err, verbose);
  }
}
