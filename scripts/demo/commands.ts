// Which commands this kubecred has (whoami, setup-context iam, … land at different times): asked
// of the built commander program (dist/cli.cjs, what the demo runs anyway: no TypeScript to
// compile), so the demo skips what is not there instead of failing.
import type { Command } from 'commander';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repo } from './session.js';

let program: Promise<Command> | undefined;

async function load(): Promise<Command> {
  const cli = createRequire(import.meta.url)(join(repo, 'dist', 'cli.cjs')) as { buildProgram(argv: string[]): Promise<Command> };
  return cli.buildProgram([]);
}

export async function commandExists(path: readonly string[]): Promise<boolean> {
  let cmd: Command | undefined = await (program ??= load());
  for (const name of path) cmd = cmd?.commands.find((c) => c.name() === name);
  return cmd !== undefined;
}
