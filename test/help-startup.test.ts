// Help screens stay cheap: `kubecred --help` and `setup-context <kind> --help` must not load the
// kubeconfig code, yaml, zod, openid-client or any package left in node_modules (docs/performance.md).
// They only need names, options and flag tables; a static import of a use case in a command file
// brings all of it back. Each screen runs the built CLI with an ESM loader hook that records every
// module file Node resolves (and so loads); the chunks are then told apart by strings that only the
// heavy code has, and a failure names the chain of imports that brought such a chunk in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isolatedHome, kubecredBin, repoRoot } from './helpers/cli.js';
import { writeLoadRecorder } from './helpers/load-recorder.js';
import { providerModules } from '../src/providers/registry.js';

/** String literals (they survive minifying) found only in the code each name stands for. */
const HEAVY_MARKERS: Record<string, string> = {
  yaml: 'Implicit keys need to be on a single line',
  'openid-client (oauth4webapi)': 'OAUTH_INVALID_SERVER_METADATA',
  zod: '"$ZodType"',
  'src/kubeconfig': 'no current-context in ',
};

/**
 * commander (~125 KB bundled) and our command definitions and flag tables come to about 200 KB;
 * yaml alone is 260 KB. The margin is for new commands and flags, not for a package.
 */
const HELP_BYTES_BUDGET = 300_000;

// Real path: Node reports the modules it loads by theirs.
const dist = realpathSync(join(repoRoot, 'dist'));

const screens: string[][] = [
  ['--help'],
  ['help'],
  ['setup-context', '--help'],
  ...providerModules.map((m) => ['setup-context', m.kind, '--help']),
  ['get-token', '--help'],
  ...providerModules.map((m) => ['get-token', m.kind, '--help']),
  ['cache', '--help'],
  ['cache', 'list', '--help'],
  ['login', '--help'],
  ['logout', '--help'],
  ['doctor', '--help'],
  ['whoami', '--help'],
  ['fetch-kubeconfig', '--help'],
  ['convert-kubeconfig', '--help'],
  ['completion', '--help'],
];

/** Every module file loaded, and by which import it was reached first (for the messages). */
interface Loads {
  files: string[];
  importer: Map<string, string>;
}

/** `cli.mjs → chunks/get-token-command-….mjs → chunks/chunk-….mjs`: how a chunk came to be loaded. */
function chain(loads: Loads, file: string): string {
  const names: string[] = [];
  for (let f: string | undefined = file; f !== undefined && f.startsWith(dist + sep) && names.length < 20; f = loads.importer.get(f))
    names.unshift(f.slice(dist.length + 1));
  return names.join(' → ');
}

function loadedFiles(args: string[]): Loads & { stdout: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kubecred-help-startup-'));
  try {
    const log = join(dir, 'loaded.txt');
    const preload = writeLoadRecorder(dir, log);
    const { env } = isolatedHome('kubecred-help-startup-home-');
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(preload).href, kubecredBin, ...args], {
      env,
      encoding: 'utf8',
      input: '',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, `kubecred ${args.join(' ')}: ${r.stderr}`);
    const files: string[] = [];
    const importer = new Map<string, string>();
    for (const line of existsSync(log) ? readFileSync(log, 'utf8').split('\n') : []) {
      const [parent, url] = line.split(' ');
      if (!url) continue;
      const file = fileURLToPath(url);
      if (files.includes(file)) continue;
      files.push(file);
      if (parent?.startsWith('file:')) importer.set(file, fileURLToPath(parent));
    }
    return { files, importer, stdout: r.stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('the heavy-code markers are still found in the build (else this test checks nothing)', () => {
  const bundles = [
    join(dist, 'cli.mjs'),
    ...readdirSync(join(dist, 'chunks'))
      .filter((f) => f.endsWith('.mjs'))
      .map((f) => join(dist, 'chunks', f)),
  ];
  const text = bundles.map((f) => readFileSync(f, 'utf8'));
  for (const [name, marker] of Object.entries(HEAVY_MARKERS))
    assert.ok(
      text.some((t) => t.includes(marker)),
      `no chunk of dist/ contains ${JSON.stringify(marker)} (${name}): pick another string only ${name} has`,
    );
});

for (const args of screens) {
  test(`kubecred ${args.join(' ')} loads only commander, the command definitions and the flag tables`, () => {
    const loads = loadedFiles(args);
    const { files, stdout } = loads;
    assert.match(stdout, /^Usage: kubecred/);
    assert.ok(files.includes(join(dist, 'cli.mjs')), `the hook saw dist/cli.mjs load (it saw: ${files.join(', ')})`);
    const packages = files.filter((f) => f.split(/[\\/]/).includes('node_modules'));
    assert.deepEqual(packages, [], 'a help screen loads no package from node_modules');
    const chunks = files.filter((f) => f.startsWith(dist + sep));
    const heavy: string[] = [];
    let bytes = 0;
    for (const chunk of chunks) {
      const code = readFileSync(chunk, 'utf8');
      bytes += Buffer.byteLength(code);
      for (const [name, marker] of Object.entries(HEAVY_MARKERS)) if (code.includes(marker)) heavy.push(`${name}: ${chain(loads, chunk)}`);
    }
    assert.deepEqual(heavy, [], 'a help screen loads no heavy code: move the import into the action (await import())');
    assert.ok(
      bytes <= HELP_BYTES_BUDGET,
      `a help screen loaded ${bytes} bytes of JavaScript in ${chunks.length} files (budget ${HELP_BYTES_BUDGET})`,
    );
  });
}
