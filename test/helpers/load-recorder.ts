// A preload that records every module file Node's ES-module loader resolves (and so loads), for
// tests that prove a command does not load something: `node --import <preload>` (or NODE_OPTIONS)
// registers hooks appending `<importer URL> <module URL>` per file: module to `log`. Hooks run in
// their own thread, so they write to a file rather than to the process under test. require() of
// CommonJS does not pass through them; import() does (an ES-module-only package always comes so).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Writes the hooks and their preload into `dir`; returns the preload's path. */
export function writeLoadRecorder(dir: string, log: string): string {
  const hooks = join(dir, 'hooks.mjs');
  writeFileSync(
    hooks,
    `import { appendFileSync } from 'node:fs';
let log;
export function initialize(data) { log = data.log; }
export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  if (result.url.startsWith('file:')) appendFileSync(log, (context.parentURL ?? '-') + ' ' + result.url + '\\n');
  return result;
}
`,
  );
  const preload = join(dir, 'record-loads.mjs');
  writeFileSync(
    preload,
    `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(hooks).href)}, { data: { log: ${JSON.stringify(log)} } });
`,
  );
  return preload;
}
