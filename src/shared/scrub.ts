// Text that servers send us (error descriptions, Keystone messages, HTML error pages) is shown on
// stderr and kept in `<key>.failed`. A hostile or merely careless server can echo our own request
// back (a password, a refresh token), send terminal escape sequences, or send megabytes. Every
// server message goes through scrubServerText before anyone sees it. A leaf: imports nothing.

/** Values we send to servers in this process (passwords, refresh tokens, client secrets, codes). */
const sentSecrets = new Set<string>();

/**
 * Shorter values are not scrubbed: a 1–3 character "secret" would blank out ordinary words, and
 * offers no protection worth having anyway.
 */
const MIN_SECRET_LENGTH = 4;

export const DEFAULT_SERVER_TEXT_MAX = 300;

/** Call with every secret value before it goes into a request, so no server message can echo it. */
export function rememberSecret(value: string | undefined | null): void {
  if (typeof value === 'string' && value.length >= MIN_SECRET_LENGTH) sentSecrets.add(value);
}

/** @internal tests */
export function forgetSecrets(): void {
  sentSecrets.clear();
}

/** The spellings in which a server may echo a value: raw, form/URL-encoded, JSON-escaped. */
function spellings(secret: string): string[] {
  const forms = new Set([secret, encodeURIComponent(secret), JSON.stringify(secret).slice(1, -1)]);
  forms.add(new URLSearchParams({ x: secret }).toString().slice(2));
  return [...forms];
}

/** Removes our own secret values from a text (used for anything a server said). */
export function redactSecrets(text: string, extra: readonly (string | undefined)[] = []): string {
  let out = text;
  const all = [...sentSecrets, ...extra.filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH)];
  // Longest first, so a secret containing another is removed whole.
  all.sort((a, b) => b.length - a.length);
  for (const secret of all) for (const form of spellings(secret)) if (form) out = out.split(form).join('[redacted]');
  return out;
}

// ESC/CSI/OSC sequences, then any remaining C0/C1 control, DEL, and the bidi overrides that can
// make a terminal line read differently from what it is.
const ESCAPE_SEQUENCES = /\u001b(?:\[[0-?]*[ -/]*[@-~]|\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[@-_])?/g;
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * One short, printable line with none of our secrets in it: escape sequences and control
 * characters removed, whitespace collapsed, clipped to `max` characters (with …).
 */
export function scrubServerText(text: unknown, max = DEFAULT_SERVER_TEXT_MAX, extraSecrets: readonly (string | undefined)[] = []): string {
  // Work on a bounded head: the longest secret cut at this edge is gone after the final clip.
  const head = String(text ?? '').slice(0, max * 4 + 4096);
  const printable = head.replace(ESCAPE_SEQUENCES, ' ').replace(CONTROL, ' ');
  const flat = redactSecrets(printable, extraSecrets).replace(/\s+/g, ' ').trim();
  return flat.length > max ? flat.slice(0, max - 1) + '…' : flat;
}
