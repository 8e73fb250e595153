// The last line a failing run prints, and its exit code: shared by the full CLI and the get-token
// entry the fast path loads on a miss, so both fail alike.
import { ExecInfoError } from '../exec/exec-info.js';
import { oneLine, UsageError } from '../shared/errors.js';
import { redactSecrets } from '../shared/scrub.js';

/** Prints the error (scrubbed, one line; the stack too with -v) and returns the exit code: 2 usage, else 1 or the error's own. */
export function reportError(err: unknown, verbose: boolean): number {
  // Messages were scrubbed where they were made; this is the second line of defence.
  process.stderr.write(`kubecred: ${redactSecrets(oneLine(err))}\n`);
  if (verbose && err instanceof Error && err.stack) process.stderr.write(`${redactSecrets(err.stack)}\n`);
  if (err instanceof UsageError) return 2;
  if (err instanceof ExecInfoError) return 1;
  const code = (err as { exitCode?: unknown }).exitCode;
  return typeof code === 'number' ? code : 1;
}

/** Whether argv asks for verbose output, as the one-line rule's exception (-v shows stacks). */
export const wantsVerbose = (argv: readonly string[]): boolean => argv.includes('-v') || argv.includes('--verbose');
