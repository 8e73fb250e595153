// Runs a documented command through kubecred's real parser without running it: the commander program
// from buildProgram with every action replaced by a recorder (exitOverride is on, so a usage error
// throws), then for `get-token <kind>` and `setup-context <kind>` the flag tables they parse with
// (parseFlags) and the checks they make before anything talks to a server or writes a file.
import { CommanderError, type Command } from 'commander';
import { buildProgram } from '../../../src/cli/main.js';
import { parseFlags, type FlagValues } from '../../../src/exec/flags.js';
import { resolveCommonOptions } from '../../../src/exec/common-options.js';
import { providerModules } from '../../../src/providers/registry.js';
import type { ProviderModule } from '../../../src/providers/types.js';
import { setupTable } from '../../../src/usecases/setup-flags.js';
import { clusterOptionsFrom } from '../../../src/usecases/setup-provider.js';
import { checkNamespace, clusterEntryFromOptions } from '../../../src/usecases/cluster-entry.js';
import { isPlaceholder } from './commands.js';

/**
 * get-token flags a provider's setup-context fills in itself when they are not given (IAM registers
 * a client when there is no --client-id): the settings check sees a stand-in instead.
 */
const FILLED_BY_SETUP: Record<string, FlagValues> = {
  iam: { 'client-id': 'registered-by-setup-context' },
};

/** Stand-ins for values a reader fills in, by flag name (e.g. real CA data for --certificate-authority-data). */
export type Samples = Record<string, string>;

/** A value a reader fills in, replaced by one that passes format checks for flags of that kind. */
function sampleValue(flag: string | undefined, samples: Samples): string {
  const name = flag?.replace(/^-+/, '').split('=')[0] ?? '';
  if (samples[name] !== undefined) return samples[name];
  if (/(url|server|endpoint)$/.test(name)) return 'https://placeholder.example';
  return 'placeholder';
}

/**
 * Placeholders filled in: a placeholder standing for a flag's value gets a sample value; one standing
 * for more arguments (`… --login`) is dropped. `--flag=<value>` keeps its flag.
 */
export function fillPlaceholders(argv: readonly string[], samples: Samples = {}): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!isPlaceholder(arg)) {
      out.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0 && !isPlaceholder(arg.slice(0, eq))) {
      out.push(`${arg.slice(0, eq)}=${sampleValue(arg.slice(0, eq), samples)}`);
      continue;
    }
    const previous = argv[i - 1];
    const isValue = previous !== undefined && previous.startsWith('-') && !previous.includes('=') && !isPlaceholder(previous);
    if (isValue) out.push(sampleValue(previous, samples));
    // else: a stand-in for "more arguments": nothing to check
  }
  return out;
}

function commandPath(cmd: Command): string[] {
  const names: string[] = [];
  for (let c: Command | null = cmd; c?.parent; c = c.parent) names.unshift(c.name());
  return names;
}

function everyCommand(cmd: Command, fn: (c: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) everyCommand(sub, fn);
}

/** `setup-context iam` before iam exists: say "unknown command", not commander's "unknown option --context". */
function checkCommandPath(program: Command, argv: readonly string[]): void {
  let cmd = program;
  const path: string[] = [];
  for (const word of argv) {
    if (word.startsWith('-') || cmd.commands.length === 0) return;
    const sub = cmd.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) {
      if (word === 'help') return;
      throw new Error(
        `unknown command: kubecred ${[...path, word].join(' ')} (${path.length ? `kubecred ${path.join(' ')}` : 'kubecred'} has ${cmd.commands.map((c) => c.name()).join(', ')})`,
      );
    }
    path.push(word);
    cmd = sub;
  }
}

export interface Parsed {
  /** `['setup-context', 'oidc']` */
  path: string[];
  options: Record<string, unknown>;
  args: string[];
}

/**
 * Parses argv as `kubecred` would, running nothing. Returns what the command's action would have
 * received, or throws the one-line usage error a user would see. `--help`/`--version` count as valid.
 */
export async function parseWithoutRunning(argv: readonly string[], env: Record<string, string>): Promise<Parsed | 'help'> {
  const program = await buildProgram([]);
  let parsed: Parsed | undefined;
  let output = '';
  everyCommand(program, (cmd) => {
    cmd.configureOutput({ writeOut: (s) => void (output += s), writeErr: (s) => void (output += s) });
    cmd.action((...received: unknown[]) => {
      const command = received.at(-1) as Command;
      parsed = { path: commandPath(command), options: command.opts(), args: command.args };
    });
  });
  checkCommandPath(program, argv);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') return 'help';
      throw new Error(output.trim().split('\n')[0] || err.message);
    }
    throw err;
  }
  if (!parsed) throw new Error(`no command ran: ${output.trim().split('\n')[0] ?? ''}`);
  await checkProviderFlags(parsed, env);
  return parsed;
}

function moduleOf(kind: string): ProviderModule {
  const module = providerModules.find((m) => m.kind === kind);
  if (!module) throw new Error(`no provider module ${kind} in the registry`);
  return module;
}

/** What get-token does with its flags before it reads the cache: parse, common options, settings. */
async function checkGetTokenValues(module: ProviderModule, values: FlagValues, env: Record<string, string>): Promise<void> {
  resolveCommonOptions(values, env);
  // clouds.yaml is read from the reader's machine: its entries cannot be checked here.
  if (values['os-cloud'] !== undefined) return;
  (await module.load()).settings(values, env);
}

/** `get-token <kind> …` and `setup-context <kind> …`: their flags go through the tables, as on a real run. */
async function checkProviderFlags(parsed: Parsed, env: Record<string, string>): Promise<void> {
  const [command, kind] = parsed.path;
  if (parsed.path.length !== 2 || (command !== 'get-token' && command !== 'setup-context')) return;
  const module = moduleOf(kind!);
  if (command === 'get-token') {
    const { values, positionals } = parseFlags(module.getTokenFlags, parsed.args, env);
    if (positionals.length > 0) throw new Error(`get-token ${kind} takes no arguments, got ${positionals.join(' ')}`);
    await checkGetTokenValues(module, values, env);
    return;
  }
  // setup-context: the checks setupWithProvider makes before the provider's setup runs.
  const table = setupTable(module);
  const { values, positionals } = parseFlags(table.all, parsed.args, {});
  if (positionals.length > 0)
    throw new Error(`unexpected argument ${JSON.stringify(positionals[0])}: setup-context ${kind} takes flags only`);
  for (const spec of module.getTokenFlags) {
    if (spec.setup === 'never' && values[spec.name] !== undefined)
      throw new Error(spec.setupRefusal ?? `--${spec.name} is not accepted by setup-context`);
  }
  const cluster = clusterOptionsFrom(values);
  // The CA file is on the reader's machine: everything else about the cluster is checked.
  if (!module.clusterFromProvider || cluster.server) clusterEntryFromOptions({ ...cluster, certificateAuthority: undefined });
  checkNamespace(typeof values.namespace === 'string' ? values.namespace : undefined);
  const written: FlagValues = { ...FILLED_BY_SETUP[module.kind] };
  for (const spec of module.getTokenFlags)
    if (table.written.has(spec.name) && values[spec.name] !== undefined) written[spec.name] = values[spec.name];
  await checkGetTokenValues(module, written, env);
}

/** The environment a command sees: its assignments, with placeholders filled in. */
export function fillEnv(env: Record<string, string>, samples: Samples = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).map(([k, v]) => [k, isPlaceholder(v) ? sampleValue(k.toLowerCase().replace(/_/g, '-'), samples) : v]),
  );
}
