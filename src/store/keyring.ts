// Thin wrapper over @napi-rs/keyring (macOS Keychain, Windows Credential Manager, Secret Service on
// Linux/BSD). Loaded lazily: only the keyring storage modes pay for the native module.
//
// Pitfalls of @napi-rs/keyring 1.x this module steers around:
// - on Linux, when no Secret Service answers, Entry silently falls back to the kernel keyutils
//   keyring (per login session, lost at logout/reboot; denied in most containers), and
//   getPassword() then answers "nothing stored" instead of failing. So the probe asks the Secret
//   Service itself (findCredentialsAsync never falls back) and never trusts a get.
// - without DBUS_SESSION_BUS_ADDRESS, D-Bus clients may try to autolaunch a bus (this build's
//   libdbus has X11 autolaunch compiled out, zbus guesses $XDG_RUNTIME_DIR/bus); a headless login
//   has no keyring to unlock anyway, so we answer "not available" at once.
// - a native call cannot be cancelled: a bus that accepts but never answers would hang us, so the
//   probe gives up after PROBE_TIMEOUT_MS and operations after operationTimeoutMs(). The stuck
//   worker keeps the event loop alive until it returns: the CLI should exit explicitly.
// - a reachable but locked keyring with no way to show the unlock prompt (SSH session) fails
//   each operation after a few seconds of prompting: after the first failure we stop asking.

export const KEYRING_SERVICE = 'kubecred';
/** A service name under which nothing is ever stored: searching it costs one round trip. */
const PROBE_SERVICE = 'kubecred-probe';
const PROBE_TIMEOUT_MS = 5000;

type KeyringModule = typeof import('@napi-rs/keyring');
let moduleLoad: Promise<KeyringModule> | undefined;
let probe: Promise<boolean> | undefined;

function loadKeyring(): Promise<KeyringModule> {
  // CommonJS package: module.exports is the default export.
  moduleLoad ??= import('@napi-rs/keyring').then((m) => ((m as { default?: KeyringModule }).default ?? m) as KeyringModule);
  return moduleLoad;
}

/** Why the keyring cannot be used without even trying, or undefined when it is worth probing. */
export function keyringUnreachableReason(
  env: Record<string, string | undefined> = process.env,
  platform: NodeJS.Platform = process.platform,
): string | undefined {
  if (platform === 'darwin' || platform === 'win32') return undefined;
  const bus = env.DBUS_SESSION_BUS_ADDRESS;
  if (bus === undefined || bus === '') return 'DBUS_SESSION_BUS_ADDRESS is not set';
  if (bus.startsWith('autolaunch:')) return 'DBUS_SESSION_BUS_ADDRESS asks for an autolaunched bus';
  return undefined;
}

async function probeOnce(): Promise<boolean> {
  if (keyringUnreachableReason() !== undefined) return false;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
    timer.unref();
  });
  const attempt = (async () => {
    const keyring = await loadKeyring();
    if (process.platform === 'darwin' || process.platform === 'win32') {
      // The async getter rejects on platform errors and resolves undefined for "no entry".
      await new keyring.AsyncEntry(PROBE_SERVICE, 'probe').getPassword();
    } else {
      await keyring.findCredentialsAsync(PROBE_SERVICE);
    }
    return true;
  })().catch(() => false);
  try {
    return await Promise.race([attempt, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Whether a keyring is reachable; probed once per process. Never throws. */
export function keyringAvailable(): Promise<boolean> {
  probe ??= probeOnce();
  return probe;
}

/** @internal Tests only: forget the probe result and any refusal. */
export function resetKeyringProbe(): void {
  probe = undefined;
  refusal = undefined;
}

async function entry(account: string) {
  const keyring = await loadKeyring();
  return new keyring.AsyncEntry(KEYRING_SERVICE, account);
}

/**
 * Set after the first failed operation: the keyring answered the probe but refuses to work (a
 * locked collection whose unlock prompt cannot be shown, no default collection, …). Each further
 * attempt would cost another failing prompt (seconds), so the rest of the process fails fast and
 * the stores fall back to disk.
 */
let refusal: string | undefined;

/** A desktop can show an unlock prompt that waits for the user; without one, fail sooner. */
function operationTimeoutMs(env: Record<string, string | undefined> = process.env): number {
  return env.DISPLAY || env.WAYLAND_DISPLAY || process.platform === 'darwin' || process.platform === 'win32' ? 120_000 : 15_000;
}

async function operate<T>(action: string, account: string, op: () => Promise<T>): Promise<T> {
  if (refusal !== undefined) throw new Error(`keyring: cannot ${action} ${account} (${refusal})`);
  let timer: NodeJS.Timeout | undefined;
  const ms = operationTimeoutMs();
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000}s`)), ms);
    timer.unref();
  });
  try {
    return await Promise.race([op(), timeout]);
  } catch (err) {
    // The native message carries a Rust backtrace; keep its first line only (never a secret).
    refusal = String((err as Error)?.message ?? err).split('\n')[0];
    throw new Error(`keyring: cannot ${action} ${account} (${refusal})`);
  } finally {
    clearTimeout(timer);
  }
}

export function keyringGet(account: string): Promise<string | undefined> {
  return operate('read', account, async () => (await (await entry(account)).getPassword()) ?? undefined);
}

export function keyringSet(account: string, value: string): Promise<void> {
  return operate('store', account, async () => (await entry(account)).setPassword(value));
}

/** True when something was there. */
export function keyringDelete(account: string): Promise<boolean> {
  return operate('delete', account, async () => (await (await entry(account)).deleteCredential()) === true);
}

/** Accounts stored under our service (Secret Service, Keychain); best effort, [] when unsupported. */
export async function keyringAccounts(): Promise<string[]> {
  try {
    const keyring = await loadKeyring();
    return (await keyring.findCredentialsAsync(KEYRING_SERVICE)).map((c) => c.account);
  } catch {
    return [];
  }
}
