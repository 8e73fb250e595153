// A --browser-command for tests: a cookie-jar HTTP client (the IdP fixture's login helpers) instead of
// a real browser. kubecred runs it as `<command…> URL`. Every run appends one line to --log, so a
// test can count how many "browser tabs" were opened.
//
//   --mode login        log in and follow the redirect to kubecred's loopback server (default)
//   --mode device       complete a device login at the verification URL
//   --mode device-deny  open the verification URL and deny the request (abort on the confirm page)
//   --mode code-file    log in, write the redirect URL kubecred's keyboard flow wants to --code-file
//   --mode wrong-state  call the loopback callback with a forged state
//   --mode deny         call the loopback callback with error=access_denied (HTML in the description)
//   --mode record       only record the call (an abandoned login)
//   --mode probe-then-login  first a forged state, then the right state with a foreign Host header
//                       (both must get 404 and leave the login waiting), then a real login and a
//                       replay of its callback (must not succeed twice)
//   --mode environ      record this process's /proc/self/environ and cmdline, then log in
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
// idp-login.ts imports only node built-ins: this script starts fast (it runs once per "tab").
import { completeDeviceLogin, completeLogin, completeLoginAndFollow, CookieJar, httpRequest, parseForm } from '../../fixtures/idp-login.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    log: { type: 'string' },
    mode: { type: 'string', default: 'login' },
    user: { type: 'string', default: 'alice' },
    password: { type: 'string', default: 'alice-password' },
    ca: { type: 'string' },
    'code-file': { type: 'string' },
  },
});
const url = positionals.at(-1);
if (!url) throw new Error('browser-http: no URL given');
if (values.log) appendFileSync(values.log, JSON.stringify({ at: Date.now(), pid: process.pid, mode: values.mode, url }) + '\n');
const creds = { username: values.user!, password: values.password!, ca: values.ca ? readFileSync(values.ca, 'utf8') : undefined };

async function main(): Promise<void> {
  const target = new URL(url!);
  switch (values.mode) {
    case 'login': {
      const r = await completeLoginAndFollow(url!, creds);
      // To the log, not stderr: stderr is kubecred's, and a line written there after kubecred's own
      // error line would race with it (tests read kubecred's last line).
      if (r.status !== 200 && values.log) appendFileSync(values.log, JSON.stringify({ callbackStatus: r.status }) + '\n');
      return;
    }
    case 'device':
      return completeDeviceLogin(url!, creds);
    case 'device-deny': {
      const jar = new CookieJar();
      let page = await httpRequest(url!, { jar, ca: creds.ca });
      for (let step = 0; step < 5; step++) {
        const form = parseForm(page.body, page.url);
        if (!form) throw new Error(`device-deny: no form at ${page.url} (HTTP ${page.status})`);
        if ('confirm' in form.fields) {
          const { confirm: _confirm, ...fields } = form.fields;
          await httpRequest(form.action, { form: { ...fields, abort: 'yes' }, jar, ca: creds.ca });
          return;
        }
        page = await httpRequest(form.action, { form: form.fields, jar, ca: creds.ca });
      }
      throw new Error('device-deny: no confirm page');
    }
    case 'code-file': {
      const landed = await completeLogin(url!, creds);
      writeFileSync(values['code-file']!, landed + '\n');
      return;
    }
    case 'wrong-state':
    case 'deny': {
      const redirect = new URL(target.searchParams.get('redirect_uri')!);
      if (values.mode === 'wrong-state') {
        redirect.searchParams.set('code', 'forged-code');
        redirect.searchParams.set('state', 'forged-state');
      } else {
        redirect.searchParams.set('error', 'access_denied');
        redirect.searchParams.set('error_description', '<script>alert(1)</script> denied');
        redirect.searchParams.set('state', target.searchParams.get('state')!);
        redirect.searchParams.set('iss', target.origin);
      }
      const r = await httpRequest(redirect.href);
      if (values.log) appendFileSync(values.log, JSON.stringify({ callbackStatus: r.status, callbackBody: r.body }) + '\n');
      return;
    }
    case 'record':
      return;
    case 'probe-then-login': {
      const redirect = new URL(target.searchParams.get('redirect_uri')!);
      const forged = new URL(redirect);
      forged.searchParams.set('code', 'forged-code');
      forged.searchParams.set('state', 'forged-state');
      const wrongState = await httpRequest(forged.href);
      const rightState = new URL(redirect);
      rightState.searchParams.set('error', 'access_denied');
      rightState.searchParams.set('state', target.searchParams.get('state')!);
      const wrongHost = await httpRequest(rightState.href, { headers: { host: 'attacker.example:8000' } });
      const r = await completeLoginAndFollow(url!, creds);
      // The server may already be gone (connection refused): that, too, is "not logged in twice".
      const replay = await httpRequest(r.callbackUrl).catch(() => ({ status: 0 }));
      if (values.log) {
        appendFileSync(
          values.log,
          JSON.stringify({
            wrongStateStatus: wrongState.status,
            wrongHostStatus: wrongHost.status,
            callbackStatus: r.status,
            replayStatus: replay.status,
          }) + '\n',
        );
      }
      return;
    }
    case 'environ': {
      const environ = readFileSync('/proc/self/environ', 'utf8').split('\0').filter(Boolean);
      const cmdline = readFileSync('/proc/self/cmdline', 'utf8').split('\0').filter(Boolean);
      if (values.log) appendFileSync(values.log, JSON.stringify({ environ, cmdline }) + '\n');
      await completeLoginAndFollow(url!, creds);
      return;
    }
    default:
      throw new Error(`browser-http: unknown mode ${values.mode}`);
  }
}

main().catch((err: Error) => {
  process.stderr.write(`browser-http: ${err.message}\n`);
  process.exitCode = 1;
});
