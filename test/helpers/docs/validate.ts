// Runs a documented command through kubecred's real parser without running it: the commander program
// from buildProgram with every action replaced by a recorder (exitOverride is on, so a usage error
// throws), then the provider's flag table (parseFlags) and settings for `get-token <kind>`.
import { CommanderError, type Command } from 'commander';
import { buildProgram } from '../../../src/cli/main.js';
import { parseFlags } from '../../../src/exec/flags.js';
import { identityRules } from '../../../src/providers/identities.js';
import { loadProvider } from '../../../src/providers/registry.js';
import { isPlaceholder } from './commands.js';

/** A value a reader fills in, replaced by one that passes format checks for flags of that kind. */
function sampleValue(flag: string | undefined): string {
  if (flag && /(url|server|endpoint)$/.test(flag.replace(/^-+/, '').split('=')[0]!)) return 'https://placeholder.example';
  return 'placeholder';
}

/**
 * Placeholders filled in: a placeholder standing for a flag's value gets a sample value; one standing
 * for more arguments (`… --login`) is dropped. `--flag=<value>` keeps its flag.
 */
export function fillPlaceholders(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!isPlaceholder(arg)) {
      out.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    if (arg.startsWith('--') && eq > 0 && !isPlaceholder(arg.slice(0, eq))) {
      out.push(`${arg.slice(0, eq)}=${sampleValue(arg.slice(0, eq))}`);
      continue;
    }
    const previous = argv[i - 1];
    const isValue = previous !== undefined && previous.startsWith('-') && !previous.includes('=') && !isPlaceholder(previous);
    if (isValue) out.push(sampleValue(previous));
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
      throw new Error(`unknown command: kubecred ${[...path, word].join(' ')} (${path.length ? `kubecred ${path.join(' ')}` : 'kubecred'} has ${cmd.commands.map((c) => c.name()).join(', ')})`);
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

/** `get-token <kind> …`: the flags go to the provider's table and its settings, as on a real run. */
async function checkProviderFlags(parsed: Parsed, env: Record<string, string>): Promise<void> {
  if (parsed.path[0] !== 'get-token' || parsed.path.length !== 2) return;
  const kind = parsed.path[1]!;
  const rule = identityRules[kind];
  if (!rule) throw new Error(`get-token ${kind}: no flag table`);
  const { values, positionals } = parseFlags(rule.flags, parsed.args, env);
  if (positionals.length > 0) throw new Error(`get-token ${kind} takes no arguments, got ${positionals.join(' ')}`);
  // clouds.yaml is read from the reader's machine: its entries cannot be checked here.
  if (values['os-cloud'] !== undefined) return;
  (await loadProvider(kind)).settings(values, env);
}

/** The environment a command sees: its assignments, with placeholders filled in. */
export function fillEnv(env: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, isPlaceholder(v) ? sampleValue(k.toLowerCase().replace(/_/g, '-')) : v]));
}
