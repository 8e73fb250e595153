// `npm run docs:cli`: regenerate docs/reference/cli.md from the command definitions.
// `npm run docs:cli -- --check`: exit 1 when the committed page is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { renderCliReference } from './docs/cli-reference.js';

const file = join(resolve(import.meta.dirname, '..'), 'docs', 'reference', 'cli.md');
const page = await renderCliReference();
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // missing: out of date
  }
  if (current !== page) {
    console.error('docs/reference/cli.md is out of date: run npm run docs:cli and commit it');
    process.exit(1);
  }
} else {
  writeFileSync(file, page);
  console.log(`wrote ${file}`);
}
