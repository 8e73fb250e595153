// docs/reference/cli.md is generated from the commander program; this fails when a command, an
// option or a provider flag changed and `npm run docs:cli` was not run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './helpers/cli.js';
import { renderCliReference } from '../scripts/docs/cli-reference.js';

test('docs/reference/cli.md is what npm run docs:cli generates now', async () => {
  const committed = readFileSync(join(repoRoot, 'docs', 'reference', 'cli.md'), 'utf8');
  const generated = await renderCliReference();
  assert.ok(
    generated.includes('## kubecred get-token oidc') && generated.includes('--issuer-url <value>'),
    'the page has the providers’ flag tables',
  );
  assert.equal(committed, generated, 'docs/reference/cli.md is out of date: run npm run docs:cli and commit it');
});
