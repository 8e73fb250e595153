// A cache dir we cannot write to (full disk, read-only mount, quota) must not cost the user the
// credential just obtained: get-token prints it anyway and says once why it was not kept.

const UNWRITABLE_CODES = new Set(['ENOSPC', 'EROFS', 'EDQUOT', 'EACCES', 'EPERM']);

/** Whether err means "this dir cannot take writes now" (as opposed to a bug or a hostile file). */
export function isUnwritable(err: unknown): boolean {
  return UNWRITABLE_CODES.has((err as NodeJS.ErrnoException)?.code ?? '');
}

let warned = false;

/** One warning per process, whichever store noticed first. */
export function warnUnwritable(dir: string, err: unknown, notice: (message: string) => void): void {
  if (warned) return;
  warned = true;
  const code = (err as NodeJS.ErrnoException).code ?? String(err);
  notice(`kubecred: warning: cannot write to ${dir} (${code}); the credential is printed but not kept, so the next run must get a new one: free space or make it writable`);
}
