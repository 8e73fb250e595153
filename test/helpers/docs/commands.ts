// Finds the `kubecred …` and `kubectl cred …` commands in the fenced shell blocks of Markdown files,
// as a person would copy them: backslash-continued lines joined, `$ ` prompts and comments dropped,
// pipelines and `&&` lists split, shell quoting undone, leading VAR=value assignments kept apart.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/** Fenced blocks with these info strings hold commands; `text`, `yaml`, … do not. */
const SHELL_BLOCKS = new Set(['', 'sh', 'bash', 'shell', 'console', 'zsh']);

/**
 * Placeholders a reader fills in. A token that is (or contains) one stands for "your value":
 * `<context>`, `<CLIENT_ID>`, `…`/`...` (more of the same), `$VAR`, `${VAR}`, `$(command)`.
 */
const PLACEHOLDER = /<[^<>\s]+>|…|\.\.\.|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\$\(/;

export function isPlaceholder(token: string): boolean {
  return PLACEHOLDER.test(token);
}

export interface DocCommand {
  file: string;
  line: number;
  /** As written (continuations joined). */
  text: string;
  /** Arguments after `kubecred` / `kubectl cred`, unquoted. */
  argv: string[];
  /** VAR=value assignments before the command and `export VAR=value` earlier in the block. */
  env: Record<string, string>;
}

export function markdownFiles(root: string): string[] {
  const out = [join(root, 'README.md')];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory()) walk(join(dir, entry.name));
      else if (entry.name.endsWith('.md')) out.push(join(dir, entry.name));
    }
  };
  walk(join(root, 'docs'));
  return out;
}

/** Shell words of one simple command; quotes removed, no expansion (placeholders stay visible). */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      word = (word ?? '') + text.slice(i + 1, end === -1 ? text.length : end);
      i = end === -1 ? text.length : end;
    } else if (c === '"') {
      let j = i + 1;
      let part = '';
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < text.length) j++;
        part += text[j];
        j++;
      }
      word = (word ?? '') + part;
      i = j;
    } else if (c === '\\' && i + 1 < text.length) {
      word = (word ?? '') + text[++i];
    } else if (/\s/.test(c)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** Splits a line on unquoted `|`, `||`, `&&`, `;` and drops an unquoted `# comment`. */
function simpleCommands(line: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"') current += line[i++];
      current += c;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]!))) break;
    else if (c === '|' || c === ';' || (c === '&' && line[i + 1] === '&')) {
      parts.push(current);
      current = '';
      if (line[i + 1] === c) i++;
      continue;
    }
    current += c;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

export function extractCommands(file: string, root: string): DocCommand[] {
  const lines = readFileSync(file, 'utf8').split('\n');
  const found: DocCommand[] = [];
  let fence: { marker: string; shell: boolean } | undefined;
  let exported: Record<string, string> = {};
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const open = /^\s*(```+|~~~+)\s*([\w-]*)/.exec(raw);
    if (open && !fence) {
      fence = { marker: open[1]!, shell: SHELL_BLOCKS.has(open[2]!.toLowerCase()) };
      exported = {};
      continue;
    }
    if (fence && raw.trim().startsWith(fence.marker)) {
      fence = undefined;
      continue;
    }
    if (!fence?.shell) continue;
    const start = i;
    let text = raw;
    while (/\\\s*$/.test(text) && i + 1 < lines.length) text = text.replace(/\\\s*$/, ' ') + lines[++i]!.trim();
    // `<API server URL from CloudVeneto>`: one placeholder, even with spaces in it (not `< file`).
    text = text
      .trim()
      .replace(/^\$\s+/, '')
      .replace(/<[^\s<>](?:[^<>]*[^\s<>])?>/g, (m) => m.replace(/\s+/g, '_'));
    for (const command of simpleCommands(text)) {
      const words = shellWords(command);
      if (words[0] === 'export') {
        for (const w of words.slice(1)) {
          const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(w);
          if (m) exported[m[1]!] = m[2]!;
        }
        continue;
      }
      const env = { ...exported };
      while (words.length > 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[0]!)) {
        const [name, ...value] = words.shift()!.split('=');
        env[name!] = value.join('=');
      }
      let argv: string[] | undefined;
      if (words[0] === 'kubecred') argv = words.slice(1);
      else if (words[0] === 'kubectl' && words[1] === 'cred') argv = words.slice(2);
      if (argv) found.push({ file: relative(root, file), line: start + 1, text: command, argv, env });
    }
  }
  return found;
}
