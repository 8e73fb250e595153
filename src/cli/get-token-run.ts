// One `get-token <kind>` run: the ExecCredential on stdout, everything else on stderr. Both the
// commander command (full CLI) and the get-token entry of a cache miss (dist/get-token.cjs) call it.
import type { ProviderModule } from '../providers/types.js';
import { parseExecInfo } from '../exec/exec-info.js';
import { parseFlags } from '../exec/flags.js';
import { nodeInfrastructure } from '../infra/node-infra.js';
import type { Logger } from '../infra/types.js';
import { getToken } from '../usecases/get-token.js';

/**
 * The lines an earlier attempt of this same run printed (a get-token bundle that handed the run to
 * the one with every provider): printed once, not again. `printed` collects this attempt's lines.
 */
export interface PrintedLines {
  before: readonly string[];
  printed: string[];
}

function notAgain(log: Logger, lines: PrintedLines): Logger {
  const before = [...lines.before];
  const once =
    (write: (m: string) => void) =>
    (m: string): void => {
      const seen = before.indexOf(m);
      if (seen !== -1) {
        before.splice(seen, 1);
        return;
      }
      lines.printed.push(m);
      write(m);
    };
  return { info: once(log.info), warn: once(log.warn), debug: once(log.debug) };
}

export async function runGetTokenCommand(
  module: ProviderModule,
  modules: readonly ProviderModule[],
  args: readonly string[],
  lines?: PrintedLines,
): Promise<void> {
  // The same table decides: `-v1`, `--v=4` (klog) are verbose too.
  let verbose = false;
  try {
    verbose = parseFlags(module.getTokenFlags, args, process.env).values.verbose === true;
  } catch {
    // getToken reports the bad flag
  }
  const execInfo = parseExecInfo(process.env.KUBERNETES_EXEC_INFO, () => process.stdin.isTTY === true);
  const base = nodeInfrastructure({ verbose, interactive: execInfo.interactive });
  const infra = lines ? { ...base, log: notAgain(base.log, lines) } : base;
  const { output } = await getToken(infra, { module, modules, argv: args, execInfo });
  process.stdout.write(output);
}
