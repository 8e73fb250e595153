// `get-token` on a cache miss, without the rest of the CLI: the fast path loads this entry, bundled
// as CommonJS (dist/get-token-<kind>.cjs with one provider, dist/get-token.cjs with all; see
// scripts/build.mjs), instead of the ES-module CLI with commander, so a refresh pays for the use
// case and its provider only. Help screens and unknown kinds go to the full CLI, which owns their
// wording; a run that needs code its bundle left out goes to dist/get-token.cjs.
import { providerModules } from '../providers/registry.js';
import { withInferredKind } from '../providers/infer-kind.js';
import { runGetTokenCommand, type PrintedLines } from './get-token-run.js';
import { reportError, wantsVerbose } from './report-error.js';

/**
 * Who must run the same argv instead: `cli` (help, an unknown kind) or `everything` (the bundle with
 * every provider, for a module this one left out), with the lines this attempt printed.
 */
export interface Handover {
  to: 'cli' | 'everything';
  printed: string[];
}

function leftOut(err: unknown): boolean {
  for (let e = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++)
    if ((e as { code?: unknown }).code === 'KUBECRED_NOT_BUNDLED') return true;
  return false;
}

/**
 * Runs `get-token <kind> …`; returns the exit code, or who should run it instead. `handedOver`: another
 * bundle's attempt came first, and `printedBefore` is what it printed (not printed again).
 */
export async function runGetToken(
  argvGiven: readonly string[],
  printedBefore: readonly string[] = [],
  handedOver = false,
): Promise<number | Handover> {
  const argv = withInferredKind(
    argvGiven,
    providerModules.map((m) => ({ kind: m.kind, flags: m.getTokenFlags })),
  );
  const [command, kind, ...args] = argv;
  const module = providerModules.find((m) => m.kind === kind);
  if (command !== 'get-token' || !module || args.includes('-h') || args.includes('--help')) return { to: 'cli', printed: [] };
  const lines: PrintedLines = { before: printedBefore, printed: [], handedOver: handedOver };
  try {
    await runGetTokenCommand(module, providerModules, args, lines);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    // Nothing was obtained or written yet: the left-out module was needed to get there.
    if (leftOut(err)) return { to: 'everything', printed: lines.printed };
    return reportError(err, wantsVerbose(argv));
  }
}
