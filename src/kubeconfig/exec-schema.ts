// The exec block of a kubeconfig user, as kubecred reads it back (login, logout, cache reset
// --context): a wrong type in a hand-edited file must give a one-line message, not a TypeError.
import * as z from 'zod/mini';
import { describeIssues } from '../shared/validation.js';
import { KubeconfigError, displayPath } from './errors.js';
import type { ExecConfig } from './types.js';

const ExecBlock = z.looseObject({
  apiVersion: z.optional(z.string()),
  command: z.string(),
  args: z.optional(z.nullable(z.array(z.string()))),
  env: z.optional(z.nullable(z.array(z.looseObject({ name: z.string(), value: z.string() })))),
  installHint: z.optional(z.string()),
  provideClusterInfo: z.optional(z.boolean()),
  interactiveMode: z.optional(z.enum(['Never', 'IfAvailable', 'Always'])),
});

/** The user's exec block, checked; undefined when the user has none. */
export function checkExecBlock(file: string, userName: string, exec: unknown): ExecConfig | undefined {
  if (exec === undefined || exec === null) return undefined;
  const parsed = ExecBlock.safeParse(exec);
  if (!parsed.success) {
    throw new KubeconfigError(
      `${displayPath(file)}: user "${userName}" has an exec block kubecred cannot read (exec.${describeIssues(parsed.error.issues)}): fix that entry or re-create it with kubecred setup-context`,
    );
  }
  return { ...parsed.data, args: parsed.data.args ?? undefined } as ExecConfig;
}
