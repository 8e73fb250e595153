// Bun answers cache hits in a third of Node's start-up; everything else is Node's job. The exec
// entry `setup-context --runtime bun` writes names Node in KUBECRED_NODE (the Node that ran
// setup-context); without it, or if that Node is gone, `node` on PATH. stdin, stdout and stderr are
// inherited (prompts, the ExecCredential), the environment passes through unchanged, and our exit
// mirrors the child's: its code, or its signal.
import type { SpawnSyncReturns } from 'node:child_process';

export const NODE_ENV_VAR = 'KUBECRED_NODE';

export function rerunUnderNode(script: string, argv: readonly string[]): void {
  const { spawnSync } = process.getBuiltinModule('node:child_process') as typeof import('node:child_process');
  const run = (node: string): SpawnSyncReturns<Buffer> => spawnSync(node, [script, ...argv], { stdio: 'inherit', env: process.env });
  const configured = process.env[NODE_ENV_VAR];
  let result = run(configured || 'node');
  if (configured && (result.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') result = run('node');
  if (result.error) {
    const code = (result.error as NodeJS.ErrnoException).code;
    process.stderr.write(
      `kubecred: this context runs kubecred under Bun, which hands everything but a cache hit to Node, and Node cannot be started (${code ?? result.error.message}): install Node >= 20 and put it on PATH, or run setup-context again with --runtime node\n`,
    );
    process.exitCode = 1;
    return;
  }
  if (result.signal) {
    process.kill(process.pid, result.signal);
    return;
  }
  process.exitCode = result.status ?? 1;
}
