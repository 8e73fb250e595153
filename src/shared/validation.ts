// One line from a zod failure: which field had the wrong type, never the value (it may be a secret).
import type * as z from 'zod/mini';

type Issue = z.core.$ZodIssue;

/** `token.expires_at: expected string` — the first issue, path and expectation only. */
export function describeIssues(issues: readonly Issue[]): string {
  const issue = issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.length ? issue.path.map(String).join('.') : 'the document';
  if (issue.code === 'invalid_type') return `${path}: expected ${issue.expected}`;
  if (issue.code === 'invalid_value') return `${path}: not one of the accepted values`;
  return `${path}: ${issue.message}`;
}
