// Every relative link in README.md and docs/**/*.md points at a file that exists, and every
// `#anchor` at a heading of that file (GitHub's slugs), so moving a page cannot silently break links.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { markdownFiles } from './helpers/docs/commands.js';
import { repoRoot } from './helpers/cli.js';

/** GitHub's heading anchors: lowercase, punctuation dropped, spaces to hyphens, duplicates numbered. */
function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const m = inFence ? null : /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    if (!m) continue;
    const base = m[1]!
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .trim()
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

function links(markdown: string): string[] {
  const withoutCode = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...withoutCode.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((m) => m[1]!);
}

test('every relative link in README and docs/ resolves, anchors included', () => {
  const broken: string[] = [];
  for (const file of markdownFiles(repoRoot)) {
    const text = readFileSync(file, 'utf8');
    for (const link of links(text)) {
      if (/^[a-z]+:/i.test(link)) continue; // https:, mailto:
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = path === '' ? file : join(dirname(file), decodeURIComponent(path));
      const where = `${relative(repoRoot, file)}: ${link}`;
      if (!existsSync(target)) {
        broken.push(`${where} (no ${relative(repoRoot, target)})`);
        continue;
      }
      if (anchor && target.endsWith('.md') && statSync(target).isFile() && !headingAnchors(readFileSync(target, 'utf8')).has(anchor)) {
        broken.push(`${where} (no heading #${anchor} in ${relative(repoRoot, target)})`);
      }
    }
  }
  if (broken.length > 0) assert.fail(`${broken.length} broken link(s):\n${broken.join('\n')}`);
});

test('the anchor rules match GitHub', () => {
  const anchors = headingAnchors(
    '# Reference\n## `kubecred get-token oidc`\n## Exit codes\n## Exit codes\n```\n# not a heading\n```\n## What “auto” does (OIDC)\n',
  );
  assert.deepEqual([...anchors], ['reference', 'kubecred-get-token-oidc', 'exit-codes', 'exit-codes-1', 'what-auto-does-oidc']);
});
