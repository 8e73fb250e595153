// One `get-token <kind>` run: the ExecCredential on stdout, everything else on stderr. Both the
// commander command (full CLI) and the get-token entry of a cache miss (dist/get-token.cjs) call it.
import type { ProviderModule } from '../providers/types.js';
import { parseExecInfo } from '../exec/exec-info.js';
import { parseFlags } from '../exec/flags.js';
import { nodeInfrastructure } from '../infra/node-infra.js';
import type { Logger } from '../infra/types.js';
import { getToken } from '../usecases/get-token.js';

/**
 * A run that another get-token bundle handed over (src/cli/get-token-entry.ts): the lines that
 * attempt printed are not printed again (`printed` collects this attempt's own), and its bare HTTP
 * client is not offered again — that attempt already made the direct refresh, which the provider
 * needed the code it lacked to go on from.
 */
export interface PrintedLines {
  before: readonly string[];
  printed: string[];
  handedOver: boolean;
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
  const infra = nodeInfrastructure({ verbose, interactive: execInfo.interactive });
  // Replaced in place: a spread would read the lazy getters (stderrIsTTY builds process.stderr).
  if (lines) infra.log = notAgain(infra.log, lines);
  if (lines?.handedOver) infra.http = { fetcher: infra.http.fetcher };
  const { output } = await getToken(infra, { module, modules, argv: args, execInfo });
  process.stdout.write(output);
}
