// Renders flag tables for --help (commander does not parse these flags: the shared table parser
// does, so the fast path, get-token and setup-context agree on every spelling).
import type { FlagSpec } from '../exec/flags.js';

export function renderFlagHelp(flags: readonly FlagSpec[], heading = 'Flags', setupOnly: readonly FlagSpec[] = []): string {
  const rows = flags
    .filter((f) => !f.ignored)
    .map((f) => {
      const left = `  ${f.short ? `-${f.short}, --${f.name}` : `    --${f.name}`}${f.type === 'boolean' ? '' : ' <value>'}`;
      const notes: string[] = [];
      if (setupOnly.includes(f)) notes.push('setup only');
      if (f.type === 'list') notes.push('repeatable');
      if (f.aliases?.length) notes.push(`also ${f.aliases.map((a) => `--${a}`).join(', ')}`);
      if (f.env?.length) notes.push(`env ${f.env.join(', ')}`);
      if (f.defaultText) notes.push(`default ${f.defaultText}`);
      return { left, right: f.description + (notes.length ? ` (${notes.join('; ')})` : '') };
    });
  if (rows.length === 0) return '';
  const width = Math.max(...rows.map((r) => r.left.length)) + 2;
  return `\n${heading}:\n` + rows.map((r) => r.left.padEnd(width) + r.right).join('\n') + '\n';
}
