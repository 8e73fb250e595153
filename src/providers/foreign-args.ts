// Reads another tool's exec args (kubelogin, client-keystone-auth) with one of our flag tables, for
// convert-kubeconfig: known flags come back under our canonical names as `--name=value`, secrets are
// taken out, klog logging flags are dropped, and anything else makes the whole entry "refused" so it
// is left as it was (never silently dropped).
import type { FlagSpec } from '../exec/flags.js';
import { KLOG_FLAGS } from '../exec/klog-flags.js';

export interface ForeignArgsOptions {
  /** Our canonical flag name → secret-store name: the value moves out of the kubeconfig. */
  secretFlags?: Readonly<Record<string, string>>;
  /** Canonical flag names to drop, with the reason for the report. */
  drop?: Readonly<Record<string, string>>;
  /** Rewrites one flag (e.g. kubelogin's --listen-port) into ours; return undefined when not handled. */
  translate?: (name: string, value: string | undefined) => { name: string; value: string | true } | undefined;
  /** Flags the translator consumes that take a value. */
  translatedTakeValue?: ReadonlySet<string>;
  /** Go's flag packages treat `_` like `-` (component-base normalises them). */
  underscores?: boolean;
}

export type ForeignArgs = { ok: true; args: string[]; secrets: Record<string, string>; notes: string[] } | { ok: false; reason: string };

function index(specs: readonly FlagSpec[]): Map<string, FlagSpec> {
  const byName = new Map<string, FlagSpec>();
  for (const s of specs) {
    byName.set(s.name, s);
    for (const a of s.aliases ?? []) byName.set(a, s);
  }
  return byName;
}

export function readForeignArgs(specs: readonly FlagSpec[], argv: readonly string[], options: ForeignArgsOptions = {}): ForeignArgs {
  const byName = index(specs);
  const args: string[] = [];
  const secrets: Record<string, string> = {};
  const notes: string[] = [];
  const droppedKlog: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-' || arg === '--') return { ok: false, reason: `unexpected argument ${JSON.stringify(arg)}` };
    const body = arg.replace(/^--?/, '');
    const eq = body.indexOf('=');
    let name = eq === -1 ? body : body.slice(0, eq);
    if (options.underscores) name = name.replace(/_/g, '-');
    const klogName = name.replace(/_/g, '-');
    let inline = eq === -1 ? undefined : body.slice(eq + 1);
    const takeValue = (): string | undefined => {
      if (inline !== undefined) return inline;
      const next = argv[i + 1];
      if (next === undefined) return undefined;
      i++;
      return next;
    };
    // klog verbosity written the Go way: -v1, -v=1, -v 1, --v=4.
    if (/^v\d+$/.test(name)) {
      droppedKlog.push(arg);
      continue;
    }
    if (klogName in KLOG_FLAGS && klogName !== 'v' && !byName.has(name)) {
      if (KLOG_FLAGS[klogName]) takeValue();
      droppedKlog.push(arg.split('=')[0]!);
      continue;
    }
    if (name === 'v' || name === 'verbose') {
      // Ours is a boolean -v; a numeric value after it belongs to it (klog's `-v 1`).
      if (inline === undefined && /^\d+$/.test(argv[i + 1] ?? '')) i++;
      droppedKlog.push(arg);
      continue;
    }
    const translated = options.translate?.(name, options.translatedTakeValue?.has(name) ? takeValue() : inline);
    if (translated) {
      args.push(translated.value === true ? `--${translated.name}` : `--${translated.name}=${translated.value}`);
      continue;
    }
    const spec = byName.get(name);
    if (!spec) return { ok: false, reason: `flag ${arg.split('=')[0]} is not understood by kubecred` };
    if (spec.type === 'boolean') {
      if (inline !== undefined && !['true', 'false', '1', '0'].includes(inline))
        return { ok: false, reason: `flag --${name} takes true or false, not ${JSON.stringify(inline)}` };
      if (spec.ignored) {
        notes.push(`dropped --${name} (kubecred does this by itself)`);
        continue;
      }
      if (inline === 'false' || inline === '0') continue;
      if (options.drop?.[spec.name]) {
        notes.push(`dropped --${name}: ${options.drop[spec.name]}`);
        continue;
      }
      args.push(`--${spec.name}`);
      continue;
    }
    const value = takeValue();
    if (value === undefined) return { ok: false, reason: `flag --${name} has no value` };
    const secretName = options.secretFlags?.[spec.name];
    if (secretName) {
      secrets[secretName] = value;
      notes.push(`moved --${name} into the secret store (${secretName})`);
      continue;
    }
    if (spec.ignored) {
      notes.push(`dropped --${name} (accepted and ignored by kubecred)`);
      continue;
    }
    if (options.drop?.[spec.name]) {
      notes.push(`dropped --${name}: ${options.drop[spec.name]}`);
      continue;
    }
    args.push(`--${spec.name}=${value}`);
  }
  if (droppedKlog.length) notes.push(`dropped logging flags ${droppedKlog.join(' ')} (use kubecred -v when you need detail)`);
  return { ok: true, args, secrets, notes };
}
