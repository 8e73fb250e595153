// One `get-token <kind>` run: the ExecCredential on stdout, everything else on stderr. Both the
// commander command (full CLI) and the get-token entry of a cache miss (dist/get-token.cjs) call it.
import type { ProviderModule } from '../providers/types.js';
import { parseExecInfo } from '../exec/exec-info.js';
import { parseFlags } from '../exec/flags.js';
import { nodeInfrastructure } from '../infra/node-infra.js';
import { writeFd } from '../infra/stdio.js';
import { getToken } from '../usecases/get-token.js';

export async function runGetTokenCommand(
  module: ProviderModule,
  modules: readonly ProviderModule[],
  args: readonly string[],
  /** argv as the kubecred bin got it, so the answer is kept for the fast path. */
  invocation?: readonly string[],
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
  const { output } = await getToken(infra, { module, modules, argv: args, execInfo, invocation });
  writeFd(1, output);
}
