// Turns a kubeconfig user's exec block back into the get-token invocation kubectl would run, so
// `login`, `logout` and `cache reset --context` reach the same cache key as kubectl does.
import { basename } from 'node:path';
import { KubecredError } from '../shared/errors.js';

export interface ExecBlock {
  command?: string;
  args?: string[];
  env?: Array<{ name: string; value: string }> | null;
}

export interface Invocation {
  kind: string;
  /** Arguments after `get-token <kind>`. */
  argv: string[];
  /** The process environment with exec.env applied on top, as kubectl does. */
  env: Record<string, string | undefined>;
}

const OUR_COMMANDS = new Set(['kubecred', 'kubectl-cred', 'kubecred.cjs', 'kubectl-cred.cjs']);

export function invocationFromExec(contextName: string, exec: ExecBlock | undefined, env: Record<string, string | undefined>): Invocation {
  if (!exec || !exec.command) {
    throw new KubecredError(`context ${contextName} does not use an exec credential plugin: set it up with kubecred setup-context`);
  }
  let args = [...(exec.args ?? [])];
  const command = basename(exec.command);
  if (command === 'kubectl' && args[0] === 'cred') args = args.slice(1);
  else if (!OUR_COMMANDS.has(command)) {
    throw new KubecredError(
      `context ${contextName} runs ${command}, not kubecred: convert it with kubecred convert-kubeconfig or kubecred setup-context`,
    );
  }
  if (args[0] !== 'get-token' || !args[1]) {
    throw new KubecredError(
      `context ${contextName} runs kubecred without "get-token <provider>": re-create it with kubecred setup-context`,
    );
  }
  const merged: Record<string, string | undefined> = { ...env };
  for (const { name, value } of exec.env ?? []) merged[name] = value;
  return { kind: args[1], argv: args.slice(2), env: merged };
}
