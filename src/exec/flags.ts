// A table-driven parser for `get-token <provider> …` arguments. get-token and every command that
// reads a context's exec args parse with it, so all compute the same cache key. Imports only leaves.
import { UsageError } from '../shared/errors.js';
import { expandHome } from './paths.js';
import { KLOG_FLAGS, klogLevel } from './klog-flags.js';

export type FlagType = 'string' | 'boolean' | 'list';

export interface FlagSpec {
  /** Canonical long name without dashes, e.g. `issuer-url`. */
  name: string;
  type: FlagType;
  /** Other accepted spellings (kubelogin's, client-keystone-auth's), without dashes. */
  aliases?: readonly string[];
  /** Environment variables read, in order, when the flag is absent (OS_AUTH_URL, …); never a secret: hit records keep their values. */
  env?: readonly string[];
  /** For `list`: also split each value on commas, as Go's pflag StringSlice does. */
  splitCommas?: boolean;
  /** Accepted but ignored (a kubelogin flag that has no meaning here); never an error. */
  ignored?: boolean;
  description: string;
  /** Shown in --help; the parser does not apply it (use cases do). */
  defaultText?: string;
  /** A single-letter short form, e.g. `v`. */
  short?: string;
  /**
   * For `list` of `key=value`: one value may hold several pairs, comma-separated (`A=1,B=2`), as
   * Go's pflag StringToString reads them; a part without `=` belongs to the value before it.
   */
  pairs?: boolean;
  /** A file or directory: `~`, `~/x` and `$HOME/x` are expanded (identically on the fast path). */
  path?: boolean;
  /**
   * How `setup-context` treats a get-token flag. By default it accepts it under the same name and
   * writes it into the exec args. `never`: refused there (a secret, --force-refresh), with `setupRefusal`
   * as the reason; `local`: accepted but not written (-v means "explain this setup").
   */
  setup?: 'never' | 'local';
  setupRefusal?: string;
  /** A setup-only flag that makes setup-context read a secret: from stdin, or asked with this prompt on a terminal. */
  secretFromStdin?: string;
}

export type FlagValue = string | boolean | string[];
export type FlagValues = Record<string, FlagValue | undefined>;

export interface ParsedFlags {
  values: FlagValues;
  positionals: string[];
  /** Flags that came from the environment rather than argv, by canonical name. */
  fromEnv: string[];
}

/**
 * The spec a name (canonical, alias or short) belongs to. A scan, not a Map: a parse looks up a
 * handful of names once, and building an index of every flag first cost the cache hit more.
 */
function lookup(specs: readonly FlagSpec[], name: string): FlagSpec | undefined {
  for (const spec of specs) if (spec.name === name || spec.short === name || spec.aliases?.includes(name)) return spec;
  return undefined;
}

function parseBoolean(name: string, text: string): boolean {
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new UsageError(`--${name} takes true or false, not ${JSON.stringify(text)}`);
}

/**
 * Accepts `--name value`, `--name=value`, `-x value`, booleans as `--name` or `--name=false`,
 * repeated list flags, and `--` to end flags. Unknown flags are a UsageError naming the flag.
 */
export function parseFlags(specs: readonly FlagSpec[], argv: readonly string[], env: Record<string, string | undefined> = {}): ParsedFlags {
  const values: FlagValues = {};
  const verbose = lookup(specs, 'v');
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const body = arg.startsWith('--') ? arg.slice(2) : arg.slice(1);
    const eq = body.indexOf('=');
    let name = eq === -1 ? body : body.slice(0, eq);
    let inline: string | undefined = eq === -1 ? undefined : body.slice(eq + 1);
    // klog verbosity (`-v1`, `--v=4`, `-v 1`) means our -v; `--v=0` is klog's default: not verbose.
    if (verbose?.type === 'boolean' && (name === 'v' || /^v\d+$/.test(name))) {
      let level = klogLevel(name, inline);
      if (level === undefined && inline === undefined && /^\d+$/.test(argv[i + 1] ?? '')) level = Number(argv[++i]);
      if (level !== undefined) {
        values[verbose.name] = level > 0;
        continue;
      }
    }
    // Go flag packages accept `--user_name` for `--user-name` (component-base normalises them).
    let spec = lookup(specs, name);
    if (!spec && name.includes('_')) {
      name = name.replace(/_/g, '-');
      spec = lookup(specs, name);
    }
    if (!spec && name in KLOG_FLAGS) {
      if (KLOG_FLAGS[name] && inline === undefined && argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('-')) i++;
      continue;
    }
    if (!spec) throw new UsageError(`unknown flag ${arg.split('=')[0]}: see --help for the accepted flags`);
    if (spec.type === 'boolean') {
      values[spec.name] = inline === undefined ? true : parseBoolean(name, inline);
      continue;
    }
    if (inline === undefined) {
      const next = argv[i + 1];
      if (next === undefined) throw new UsageError(`flag --${name} needs a value`);
      inline = next;
      i++;
    }
    if (spec.path) inline = expandHome(inline, env);
    if (spec.type === 'string') {
      values[spec.name] = inline;
    } else {
      const list = (values[spec.name] as string[] | undefined) ?? [];
      const parts = spec.splitCommas ? inline.split(',').filter((p) => p !== '') : spec.pairs ? splitPairs(inline) : [inline];
      list.push(...parts);
      values[spec.name] = list;
    }
  }
  const fromEnv: string[] = [];
  for (const spec of specs) {
    if (values[spec.name] !== undefined || !spec.env) continue;
    for (const variable of spec.env) {
      const fromVar = env[variable];
      if (fromVar === undefined || fromVar === '') continue;
      const text = spec.path ? expandHome(fromVar, env) : fromVar;
      values[spec.name] = spec.type === 'list' ? [text] : spec.type === 'boolean' ? parseBoolean(variable, text) : text;
      fromEnv.push(spec.name);
      break;
    }
  }
  for (const spec of specs) if (spec.ignored) delete values[spec.name];
  return { values, positionals, fromEnv };
}

/** `A=1,B=2` → [`A=1`, `B=2`]; `acr=a,b` stays one pair (a part without `=` joins the one before). */
export function splitPairs(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(',')) {
    if (out.length > 0 && !part.includes('=')) out[out.length - 1] += `,${part}`;
    else if (part !== '') out.push(part);
  }
  return out;
}

export function stringFlag(values: FlagValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function listFlag(values: FlagValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v : [];
}

export function booleanFlag(values: FlagValues, name: string): boolean {
  return values[name] === true;
}

/**
 * Durations as users write them: `90`, `90s`, `5m`, `1h30m`, `1500ms`. Returns milliseconds.
 */
export function parseDuration(flag: string, text: string): number {
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let total = 0;
  let consumed = 0;
  for (const m of text.matchAll(re)) {
    if (m.index !== consumed) break;
    const n = Number(m[1]);
    total += m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : m[2] === 'm' ? n * 60_000 : n * 3_600_000;
    consumed += m[0].length;
  }
  if (consumed !== text.length || consumed === 0) {
    throw new UsageError(`--${flag} takes a duration like 60s, 5m or 1h, not ${JSON.stringify(text)}`);
  }
  return Math.round(total);
}
