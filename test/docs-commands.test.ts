// Every fenced `kubecred …` / `kubectl cred …` command in README.md and docs/**/*.md goes through
// the real parser (known command, known flags, valid values) without running anything. A doc that
// shows a flag that does not exist, or a value the parser refuses, fails here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractCommands, markdownFiles, shellWords } from './helpers/docs/commands.js';
import { fillEnv, fillPlaceholders, parseWithoutRunning } from './helpers/docs/validate.js';
import { repoRoot } from './helpers/cli.js';
import { createCa } from './fixtures/certs.js';

const commands = markdownFiles(repoRoot).flatMap((file) => extractCommands(file, repoRoot));

test('the docs have commands to check', () => {
  const files = new Set(commands.map((c) => c.file));
  assert.ok(files.has('README.md'), 'README.md has kubecred commands');
  assert.ok(commands.length >= 15, `found ${commands.length} commands`);
});

test('every documented command parses: known command, known flags, valid values', async () => {
  // `--certificate-authority-data "$ca"`: the reader's CA; a real one stands in, so the check is real.
  const samples = { 'certificate-authority-data': Buffer.from((await createCa('docs-sample-ca')).caPem).toString('base64') };
  const failures: string[] = [];
  for (const c of commands) {
    try {
      await parseWithoutRunning(fillPlaceholders(c.argv, samples), fillEnv(c.env, samples));
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
    'setup-context oidc --context x --server notaurl --issuer-url https://i.example --client-id k',
    'setup-context oidc --context x --server https://k.example --issuer-url https://i.example --client-id k --namespace Bad_NS',
    'setup-context oidc --context x --server https://k.example --issuer-url https://i.example --client-id k stray',
    'setup-context keystone --context x --server https://k.example --auth-url https://ks.example/v3 --username a --password pw',
    'setup-context iam-typo --context x --server https://k.example',
    'cache lisst',
    'login --context',
  ];
  for (const line of bad) {
    await assert.rejects(parseWithoutRunning(shellWords(line), {}), `refused: kubecred ${line}`);
  }
  const ok = await parseWithoutRunning(
    shellWords('get-token oidc --oidc-issuer-url=https://i.example --oidc-client-id=k --extra-scope=groups'),
    {},
  );
  assert.notEqual(ok, 'help');
  assert.equal(await parseWithoutRunning(['--help'], {}), 'help');
});
