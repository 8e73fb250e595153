// `get-token` on a cache miss, without the rest of the CLI: the fast path loads this entry, bundled
// as CommonJS into dist/get-token.cjs (scripts/build.mjs), instead of the ES-module CLI with
// commander, so a refresh pays for the use case and its provider only. Help screens and unknown
// kinds go to the full CLI, which owns their wording.
import { providerModules } from '../providers/registry.js';
import { withInferredKind } from '../providers/infer-kind.js';
import { runGetTokenCommand } from './get-token-run.js';
import { reportError, wantsVerbose } from './report-error.js';

/** Runs `get-token <kind> …`; returns the exit code, or `cli` when the full CLI should run it instead. */
export async function runGetToken(argvGiven: readonly string[]): Promise<number | 'cli'> {
  const argv = withInferredKind(
    argvGiven,
    providerModules.map((m) => ({ kind: m.kind, flags: m.getTokenFlags })),
  );
  const [command, kind, ...args] = argv;
  const module = providerModules.find((m) => m.kind === kind);
  if (command !== 'get-token' || !module || args.includes('-h') || args.includes('--help')) return 'cli';
  try {
    await runGetTokenCommand(module, providerModules, args, argvGiven);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    return reportError(err, wantsVerbose(argv));
  }
}
