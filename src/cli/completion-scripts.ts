// Shell completion scripts generated from the commander program and the provider flag tables, so
// a new command or flag completes without anyone editing a list. Context names come at completion
// time from `kubecred __complete contexts` (the kubeconfig as kubectl merges it).
import type { Command } from 'commander';

export interface CompletionNode {
  /** Words after `kubecred`, e.g. ['get-token', 'oidc']. */
  path: string[];
  subcommands: string[];
  /** `--name` and `-x` spellings. */
  flags: string[];
}

/** Every command of the program with its subcommands and flags; `extraFlags` adds table-driven ones. */
export function completionTree(program: Command, extraFlags: (path: string[]) => string[]): CompletionNode[] {
  const out: CompletionNode[] = [];
  const walk = (cmd: Command, path: string[]) => {
    const visible = cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden);
    const flags = new Set<string>();
    for (const o of cmd.options) {
      if ((o as unknown as { hidden?: boolean }).hidden) continue;
      if (o.long) flags.add(o.long);
      if (o.short) flags.add(o.short);
    }
    for (const f of extraFlags(path)) flags.add(f);
    if (path.length > 0) flags.add('--help');
    out.push({ path, subcommands: visible.map((c) => c.name()), flags: [...flags].sort() });
    for (const c of visible) walk(c, [...path, c.name()]);
  };
  walk(program, []);
  return out;
}

const q = (words: string[]) => words.join(' ').replace(/'/g, '');

export function bashScript(tree: CompletionNode[]): string {
  const cases = (pick: (n: CompletionNode) => string[]) => tree.map((n) => `    '${n.path.join(' ')}') echo '${q(pick(n))}' ;;`).join('\n');
  return `# kubecred completion for bash: source <(kubecred completion bash)
_kubecred_subcommands() {
  case "$1" in
${cases((n) => n.subcommands)}
  esac
}
_kubecred_flags() {
  case "$1" in
${cases((n) => n.flags)}
  esac
}
_kubecred() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" i w
  if [[ "$prev" == "--context" ]]; then
    COMPREPLY=( $(compgen -W "$(kubecred __complete contexts 2>/dev/null)" -- "$cur") )
    return
  fi
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    [[ "$w" == -* ]] && continue
    if [[ " $(_kubecred_subcommands "$path") " == *" $w "* ]]; then path="\${path:+$path }$w"; fi
  done
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$(_kubecred_flags "$path")" -- "$cur") )
  else
    COMPREPLY=( $(compgen -W "$(_kubecred_subcommands "$path")" -- "$cur") )
  fi
}
complete -F _kubecred kubecred
complete -F _kubecred kubectl-cred
`;
}

export function zshScript(tree: CompletionNode[]): string {
  // zsh runs the bash function through bashcompinit: one generated table for both shells.
  return `# kubecred completion for zsh: source <(kubecred completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bashScript(tree).split('\n').slice(1).join('\n')}`;
}

export function fishScript(tree: CompletionNode[]): string {
  const lines = ['# kubecred completion for fish: kubecred completion fish | source', 'complete -c kubecred -f'];
  const cond = (path: string[]) =>
    path.length === 0 ? '__fish_use_subcommand' : path.map((p) => `__fish_seen_subcommand_from ${p}`).join('; and ');
  for (const n of tree) {
    const subs = new Set(n.subcommands);
    const notDeeper = subs.size ? `; and not __fish_seen_subcommand_from ${[...subs].join(' ')}` : '';
    for (const s of n.subcommands) lines.push(`complete -c kubecred -n '${cond(n.path)}${n.path.length ? notDeeper : ''}' -a ${s}`);
    for (const f of n.flags) {
      const spec = f.startsWith('--') ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`;
      lines.push(`complete -c kubecred -n '${n.path.length ? cond(n.path) : '__fish_use_subcommand'}' ${spec}`);
    }
  }
  lines.push("complete -c kubecred -l context -x -a '(kubecred __complete contexts 2>/dev/null)'");
  return lines.join('\n') + '\n';
}
