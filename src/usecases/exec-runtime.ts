// `setup-context --runtime node|bun|auto`: which runtime kubectl starts kubecred with. Bun answers a
// cache hit in about a third of Node's start-up; the exec entry then runs `bun <launcher> get-token …`
// and the fast path hands any miss to Node (src/fastpath/rerun-under-node.ts), which it finds
// through KUBECRED_NODE (the Node running setup-context now) or PATH.
import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../shared/errors.js';
import type { ExecEnvVar } from '../kubeconfig/types.js';
import { findOnPath } from './exec-command.js';

export type ExecRuntime = 'node' | 'bun' | 'auto';

/** The env var the Bun fast path reads; kept in step with src/fastpath/rerun-under-node.ts. */
export const KUBECRED_NODE = 'KUBECRED_NODE';

export function parseExecRuntime(text: string | undefined): ExecRuntime {
  if (text === undefined || text === '') return 'node';
  if (text === 'node' || text === 'bun' || text === 'auto') return text;
  throw new UsageError(`--runtime takes node, bun or auto (bun when it is on PATH), not ${JSON.stringify(text)}`);
}

export interface RuntimeExec {
  command: string;
  args: string[];
  env?: ExecEnvVar[];
  /** One line for stderr: which runtime and why. */
  reason?: string;
}

/**
 * The exec command, args and env for the runtime. `command`/`args` are what setup-context would
 * write for Node (the launcher, or --exec-command); under Bun the launcher becomes Bun's script.
 * An explicit --exec-command is the user's own choice of program and is left alone by `auto`.
 */
export function execForRuntime(input: {
  runtime: ExecRuntime;
  command: string;
  args: readonly string[];
  env?: readonly ExecEnvVar[];
  /** realpath of process.argv[1]: bin/kubecred.cjs of this installation. */
  launcherPath: string;
  /** process.execPath: the Node a miss re-runs under. */
  nodePath: string;
  explicitCommand: boolean;
  pathEnv: Record<string, string | undefined>;
}): RuntimeExec {
  const node: RuntimeExec = { command: input.command, args: [...input.args], env: input.env ? [...input.env] : undefined };
  if (input.runtime === 'node') return node;
  const bun = findOnPath('bun', input.pathEnv);
  if (input.runtime === 'auto' && (!bun || input.explicitCommand)) {
    return { ...node, reason: `runtime: node (${bun ? '--exec-command given' : 'bun is not on PATH'})` };
  }
  if (!bun) throw new UsageError('--runtime bun: bun is not on PATH: install Bun (https://bun.sh) or use --runtime node');
  if (input.explicitCommand)
    throw new UsageError("--runtime bun runs this installation's kubecred under Bun: leave out --exec-command, or use --runtime node");
  let script: string;
  try {
    script = realpathSync(input.launcherPath);
  } catch {
    script = resolve(input.launcherPath);
  }
  const env = (input.env ?? []).filter((e) => e.name !== KUBECRED_NODE);
  env.push({ name: KUBECRED_NODE, value: input.nodePath });
  return {
    command: 'bun',
    args: [script, ...input.args],
    env,
    reason: `runtime: bun (${bun}) answers cache hits; anything else runs under ${input.nodePath}`,
  };
}
