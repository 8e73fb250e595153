// Which commands this kubecred has (whoami, setup-context iam, … land at different times): asked
// of the commander program itself, so the demo skips what is not there instead of failing.
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.js';

let program: Promise<Command> | undefined;

export async function commandExists(path: readonly string[]): Promise<boolean> {
  let cmd: Command | undefined = await (program ??= buildProgram([]));
  for (const name of path) cmd = cmd?.commands.find((c) => c.name() === name);
  return cmd !== undefined;
}
