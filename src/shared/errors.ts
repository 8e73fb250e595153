// Errors people read. Every message is one line that says what to do; none carries a secret.
// A leaf: imports nothing, so every layer (the fast path included) may use it.

/** A mistake in the command line or the kubeconfig: exit code 2. */
export class UsageError extends Error {
  readonly exitCode: number = 2;
}

/** A runtime failure: exit code 1. */
export class KubecredError extends Error {
  readonly exitCode: number = 1;
}

/**
 * An interactive login that failed or was abandoned. get-token records its reason so that the other
 * kubectl processes waiting on the same identity fail fast for 30 s instead of opening more tabs.
 */
export class LoginFailedError extends KubecredError {}

/** A step needs a person (password, browser) but kubectl gave us no terminal. */
export class NeedsInteractionError extends KubecredError {}

/** First line of any error, for the one-line rule (stack traces only with -v). */
export function oneLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return (text.split('\n')[0] ?? '').trim() || 'unknown error';
}
