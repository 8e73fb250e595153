// The demo's "browser" (kubecred runs it as --browser-command with the login URL last): hands the
// URL to the demo process, which logs in at the local IdP as a person would (scripts/demo/browser.ts).
// Plain CommonJS on purpose: it starts in a few milliseconds, with no TypeScript loader.
'use strict';
const [control, url] = process.argv.slice(2);
fetch(control, { method: 'POST', body: url, headers: { 'x-helper-pid': String(process.pid) } }).then(
  async (res) => {
    process.stderr.write(`${(await res.text()).trim()}\n`);
    process.exitCode = res.ok ? 0 : 1;
  },
  (err) => {
    process.stderr.write(`demo login helper: cannot reach the demo at ${control}: ${err.message}\n`);
    process.exitCode = 1;
  },
);
