// `~` and `$HOME` in path flags, expanded by us (kubelogin does the same, and kubeconfigs carry
// such paths): no shell runs between kubectl and its exec plugin, and Windows has no `~` at all.
// Imports nothing heavy: the fast path expands the same way, so cache dir and key agree.

/** `~`, `~/x`, `$HOME/x`, `${HOME}/x` → the home directory; anything else unchanged. */
export function expandHome(text: string, env: Record<string, string | undefined>): string {
  const m = /^(~|\$HOME|\$\{HOME\})(?=$|[\\/])/.exec(text);
  if (!m) return text;
  return homeDirectory(env) + text.slice(m[0].length);
}

/** HOME (USERPROFILE on Windows) from the environment kubectl gave us, else the OS's answer. */
export function homeDirectory(env: Record<string, string | undefined>): string {
  const fromEnv = env.HOME || (process.platform === 'win32' ? env.USERPROFILE : undefined);
  if (fromEnv) return fromEnv;
  // node:os costs a few ms on the cache-hit path: only when HOME is unset (getBuiltinModule: Node >= 20.16).
  return (process.getBuiltinModule('node:os') as typeof import('node:os')).homedir();
}
