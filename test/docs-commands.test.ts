// Every fenced `kubecred …` / `kubectl cred …` command in README.md and docs/**/*.md goes through
// the real parser (known command, known flags, valid values) without running anything. A doc that
// shows a flag that does not exist, or a value the parser refuses, fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractCommands, markdownFiles, shellWords } from './helpers/docs/commands.js';
import { fillEnv, fillPlaceholders, parseWithoutRunning } from './helpers/docs/validate.js';
import { repoRoot } from './helpers/cli.js';

const commands = markdownFiles(repoRoot).flatMap((file) => extractCommands(file, repoRoot));

test('the docs have commands to check', () => {
  const files = new Set(commands.map((c) => c.file));
  assert.ok(files.has('README.md'), 'README.md has kubecred commands');
  assert.ok(commands.length >= 15, `found ${commands.length} commands`);
});

test('every documented command parses: known command, known flags, valid values', async () => {
  const failures: string[] = [];
  for (const c of commands) {
    try {
      await parseWithoutRunning(fillPlaceholders(c.argv), fillEnv(c.env));
    } catch (err) {
      failures.push(`${c.file}:${c.line}: kubecred ${c.argv.join(' ')}\n    → ${(err as Error).message}`);
    }
  }
  if (failures.length > 0) assert.fail(`${failures.length} documented command(s) do not parse:\n${failures.join('\n')}`);
});

test('the checker itself refuses what kubecred refuses', async () => {
  const bad = [
    'setup-context oidc --context x --server https://k.example --issuer-url https://i.example --client-id k --no-such-flag',
    'setup-context oidc --server https://k.example --issuer-url https://i.example --client-id k',
    'setup-context oidc --context x --server https://k.example --issuer-url https://i.example --client-id k --grant-type magic',
    'get-token oidc --issuer-url https://i.example --client-id k --bogus',
    'get-token oidc --issuer-url https://i.example --client-id k --min-validity soon',
    'get-token keystone --auth-url not-a-url --username alice',
    'cache lisst',
    'login --context',
  ];
  for (const line of bad) {
    await assert.rejects(parseWithoutRunning(shellWords(line), {}), `refused: kubecred ${line}`);
  }
  const ok = await parseWithoutRunning(shellWords('get-token oidc --oidc-issuer-url=https://i.example --oidc-client-id=k --extra-scope=groups'), {});
  assert.notEqual(ok, 'help');
  assert.equal(await parseWithoutRunning(['--help'], {}), 'help');
});
