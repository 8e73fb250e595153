// Three CommonJS bundles: the fast path (bin/kubecred.cjs, node built-ins only), the get-token
// miss (dist/get-token.cjs) and the full CLI (dist/cli.cjs). Pure-JS packages a refresh or a help
// screen needs (commander, openid-client with oauth4webapi and jose, yaml) are bundled in:
// resolving and loading ~20 files from node_modules cost a refresh more than their code. Packages
// that are native, ship files they read at run time, or are big and rarely needed stay in
// node_modules.
import { build } from 'esbuild';
import { chmodSync, copyFileSync, readFileSync, rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
rmSync('bin/kubecred.cjs', { force: true });

const FULL_CLI_EXTERNAL = [
  '@napi-rs/keyring', // native
  'open', // runs the xdg-open script it ships
  '@kubernetes/client-node', // large; one use case loads it lazily
  'undici', // large; only with a proxy, extra CAs or --insecure
  'qrcode', // device flow only
];

// `npm pack` / `npm publish` run this as `prepare`: the package ships no source maps (they would
// point at src/, which is not in it, and carry the sources); a dev build keeps them for stack traces.
const release = process.env.npm_command === 'pack' || process.env.npm_command === 'publish' || process.argv.includes('--release');

const { version } = JSON.parse(readFileSync('package.json', 'utf8'));
const common = {
  define: { __KUBECRED_VERSION__: JSON.stringify(version) },
  bundle: true,
  // Bundled packages keep the path they have under this checkout (a symlinked node_modules would
  // otherwise put the build machine's real path into the module comments of the bundles).
  preserveSymlinks: true,
  platform: 'node',
  target: 'node20',
  logLevel: 'warning',
  legalComments: 'none',
};

// The `kubecred` bin itself: the Node version check, then the fast path, in one file (a second
// file to resolve and read cost every cache hit ~1 ms).
await build({
  ...common,
  entryPoints: ['src/fastpath/main.ts'],
  outfile: 'bin/kubecred.cjs',
  banner: { js: readFileSync('src/fastpath/launcher-banner.cjs', 'utf8').trimEnd() },
  format: 'cjs',
  // The fast path must not pull in any package: fail the build if it tries.
  external: [],
  packages: 'external',
});

// get-token on a miss (a refresh, a login) runs from one CommonJS file the fast path requires,
// dist/get-token.cjs, so it loads neither commander nor the rest of the CLI. Providers and the
// openid-client engine stay lazy inside it (esbuild evaluates a dynamically imported module only
// when it is imported), and V8's code cache spares a refresh
// compiling the rest (src/fastpath/compile-cache.cjs). yaml is left to require() at run time: only
// rare paths read a kubeconfig there (naming the context in an error, clouds.yaml), and compiling
// its 260 KiB would cost every refresh without a code cache ~8 ms.
//
// In this CommonJS file a dynamic import() of a built-in or of a CommonJS package must become a
// require(): esbuild keeps import() of anything external, and the first import() a process runs
// sets up the ES-module loader (~5 ms); nor can an import() run at all in code that Node 20
// compiles with a code cache. The ES-module-only packages (open, client-node) are import()ed by
// dist/esm-import.cjs instead (see src/infra/esm-import.ts), so the file holds no import().
const COMMONJS_PACKAGES = ['@napi-rs/keyring', 'undici', 'qrcode'];
const requireInsteadOfImport = {
  name: 'require-instead-of-import',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) =>
      args.kind === 'dynamic-import' && (args.path.startsWith('node:') || COMMONJS_PACKAGES.includes(args.path))
        ? { path: args.path, namespace: 'required' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'required' }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: 'js',
    }));
  },
};
const esmImportOutside = {
  name: 'esm-import-outside',
  setup(b) {
    b.onResolve({ filter: /[\\/]esm-import\.js$/ }, (args) => ({ path: args.path, namespace: 'esm-import' }));
    b.onLoad({ filter: /.*/, namespace: 'esm-import' }, () => ({
      contents: "const { join } = require('node:path'); exports.importEsm = (s) => require(join(__dirname, 'esm-import.cjs'))(s);",
      loader: 'js',
    }));
  },
};
/** A CommonJS bundle a miss loads through the code cache (dist/on-miss.cjs). */
const missBundle = (entry, outfile, external) =>
  build({
    ...common,
    plugins: [requireInsteadOfImport, esmImportOutside],
    entryPoints: [entry],
    outfile,
    format: 'cjs',
    external,
    sourcemap: release ? false : 'linked',
  });
await missBundle('src/cli/get-token-entry.ts', 'dist/get-token.cjs', [...FULL_CLI_EXTERNAL, 'yaml']);

// Everything else (help screens, setup-context, cache, doctor, …) runs the full CLI, commander
// included: one CommonJS file too, through the same code cache. Modules the commands import in
// their actions stay lazy inside it (evaluated on import, like the providers above), so a help
// screen evaluates commander and the flag tables only. Split ES-module chunks cost a help screen
// twice as much: the ES-module loader reads them through libuv's thread pool, and none of them
// could use Node 20's code cache.
await missBundle('src/cli/main.ts', 'dist/cli.cjs', FULL_CLI_EXTERNAL);

const fast = readFileSync('bin/kubecred.cjs', 'utf8');
const stray = [...fast.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]).filter((s) => !s.startsWith('node:'));
if (stray.length > 0 || /\bimport\(/.test(fast)) {
  console.error(`build: the fast path may only require node: built-ins and never import() (found ${stray.join(', ') || 'import()'})`);
  process.exit(1);
}
for (const file of ['on-miss.cjs', 'compile-cache.cjs', 'esm-import.cjs']) copyFileSync(`src/fastpath/${file}`, `dist/${file}`);
for (const bundle of ['dist/get-token.cjs', 'dist/cli.cjs']) {
  if (/\bimport\(/.test(readFileSync(bundle, 'utf8'))) {
    console.error(
      `build: ${bundle} holds an import(), which fails where Node 20 compiles it with a code cache: use importEsm (src/infra/esm-import.ts)`,
    );
    process.exit(1);
  }
}
for (const bin of ['bin/kubecred.cjs', 'bin/kubectl-cred.cjs']) chmodSync(bin, 0o755);
