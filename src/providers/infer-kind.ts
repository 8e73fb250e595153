// `get-token` without a kind, as a swapped kubelogin or client-keystone-auth line has it: the kind
// is the first provider (registry order) whose flag table knows every flag given. Pure: get-token
// and the commands that resolve a context's exec args infer alike, so all reach the same cache key.
import type { FlagSpec } from '../exec/flags.js';
import { KLOG_FLAGS } from '../exec/klog-flags.js';

export interface KindTable {
  kind: string;
  flags: readonly FlagSpec[];
}

function names(flags: readonly FlagSpec[]): Set<string> {
  const out = new Set<string>();
  for (const f of flags) {
    out.add(f.name);
    for (const a of f.aliases ?? []) out.add(a);
    if (f.short) out.add(f.short);
  }
  return out;
}

export function inferKind(argv: readonly string[], tables: readonly KindTable[]): string | undefined {
  const given: string[] = [];
  for (const arg of argv) {
    if (arg === '--') break;
    if (!arg.startsWith('-') || arg === '-') continue;
    const name = arg.replace(/^--?/, '').split('=')[0]!;
    if (/^v\d*$/.test(name) || name.replace(/_/g, '-') in KLOG_FLAGS) continue;
    given.push(name);
  }
  if (given.length === 0) return undefined;
  for (const t of tables) {
    const known = names(t.flags);
    if (given.every((n) => known.has(n) || known.has(n.replace(/_/g, '-')))) return t.kind;
  }
  return undefined;
}

/** `get-token --oidc-issuer-url=…` → `get-token oidc --oidc-issuer-url=…`; anything else unchanged. */
export function withInferredKind(argv: readonly string[], tables: readonly KindTable[]): string[] {
  if (argv[0] !== 'get-token' || argv[1] === undefined || !argv[1].startsWith('-') || argv[1] === '-h' || argv[1] === '--help')
    return [...argv];
  const kind = inferKind(argv.slice(1), tables);
  return kind ? ['get-token', kind, ...argv.slice(1)] : [...argv];
}
