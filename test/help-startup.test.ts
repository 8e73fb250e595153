// Help screens stay cheap: `kubecred --help` and `setup-context <kind> --help` must not evaluate the
// kubeconfig code, yaml, zod, openid-client or any package but commander (docs/performance.md). They
// only need names, options and flag tables; a static import of a use case in a command file brings
// all of it back.
//
// The full CLI is one CommonJS bundle (dist/cli.cjs) in which every module reached by a dynamic
// import() or a require() is wrapped in a function named after its source path, run when the module
// is first imported. Each screen runs under NODE_V8_COVERAGE, which reports every function of the
// bundle with its call count: a wrapper called is a module evaluated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isolatedHome, kubecredBin, repoRoot } from './helpers/cli.js';
import { providerModules } from '../src/providers/registry.js';

const cliBundle = join(repoRoot, 'dist', 'cli.cjs');

/** What no help screen may evaluate; a module's wrapper is named by its path in the bundle. */
const HEAVY = [
  { name: 'yaml', path: /^node_modules\/yaml\// },
  { name: 'zod', path: /^node_modules\/zod\// },
  { name: 'openid-client', path: /^node_modules\/(openid-client|oauth4webapi|jose)\// },
  { name: 'the kubeconfig code', path: /^src\/kubeconfig\// },
];
/** The one package a help screen evaluates. */
const HELP_PACKAGES = /^node_modules\/commander\//;

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

interface CoveredFunction {
  functionName: string;
  ranges: Array<{ count: number }>;
}

/** The module wrappers of dist/cli.cjs, each with whether it ran. */
function moduleWrappers(args: string[]): { evaluated: string[]; lazy: string[]; stdout: string } {
  const coverage = mkdtempSync(join(tmpdir(), 'kubecred-help-coverage-'));
  const { home, env } = isolatedHome('kubecred-help-startup-home-');
  try {
    const r = spawnSync(process.execPath, [kubecredBin, ...args], {
      env: { ...env, NODE_V8_COVERAGE: coverage },
      encoding: 'utf8',
      input: '',
      timeout: 60_000,
    });
    assert.equal(r.status, 0, `kubecred ${args.join(' ')}: ${r.stderr}`);
    const scripts = readdirSync(coverage).flatMap(
      (f) =>
        (JSON.parse(readFileSync(join(coverage, f), 'utf8')) as { result: Array<{ url: string; functions: CoveredFunction[] }> }).result,
    );
    const cli = scripts.find((s) => s.url.startsWith('file:') && fileURLToPath(s.url) === cliBundle);
    assert.ok(cli, `the coverage names dist/cli.cjs (it has: ${scripts.map((s) => s.url).join(', ')})`);
    const wrappers = cli.functions.filter((f) => /^(src|node_modules)\//.test(f.functionName));
    return {
      evaluated: wrappers.filter((f) => f.ranges[0]!.count > 0).map((f) => f.functionName),
      lazy: wrappers.filter((f) => f.ranges[0]!.count === 0).map((f) => f.functionName),
      stdout: r.stdout,
    };
  } finally {
    rmSync(coverage, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
}

test('the heavy code sits in lazy module wrappers of dist/cli.cjs (a static import would evaluate it on every start)', () => {
  const bundle = readFileSync(cliBundle, 'utf8');
  // esbuild heads each module's code with a `// <path>` line; a wrapped module also has `"<path>"() {`.
  const modules = [...bundle.matchAll(/^\/\/ ((?:src|node_modules)\/\S+)$/gm)].map((m) => m[1]!);
  for (const heavy of HEAVY) {
    const own = modules.filter((m) => heavy.path.test(m));
    assert.ok(own.length > 0, `dist/cli.cjs holds no module of ${heavy.name}: fix the pattern, else this test checks nothing`);
    const hoisted = own.filter((m) => !bundle.includes(`${JSON.stringify(m)}(`));
    assert.deepEqual(hoisted, [], `${heavy.name} is imported statically somewhere: import it where it is used (await import())`);
  }
});

for (const args of screens) {
  test(`kubecred ${args.join(' ')} evaluates only commander, the command definitions and the flag tables`, () => {
    const { evaluated, lazy, stdout } = moduleWrappers(args);
    assert.match(stdout, /^Usage: kubecred/);
    assert.ok(
      lazy.some((m) => HEAVY[0]!.path.test(m)),
      'the coverage lists the modules that did not run too',
    );
    const packages = evaluated.filter((m) => m.startsWith('node_modules/') && !HELP_PACKAGES.test(m));
    assert.deepEqual(packages, [], 'a help screen evaluates no package but commander');
    const heavy = evaluated.filter((m) => HEAVY.some((h) => h.path.test(m)));
    assert.deepEqual(heavy, [], 'a help screen evaluates no heavy code: move the import into the action (await import())');
  });
}
