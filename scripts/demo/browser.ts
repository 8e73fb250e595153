// A loopback "browser" for the demo: kubecred runs login-helper.cjs as --browser-command; the helper
// posts the login URL here and this process completes the IdP's page as a person would. Only URLs
// of the demo's own IdP are followed. With --browser, the real browser is used instead.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { repo, type DemoSession } from './session.js';

export interface LoginHelper {
  /** The --browser-command value (undefined with --browser: kubecred opens the system browser). */
  browserCommand: string | undefined;
  /** Logins completed through the helper. */
  readonly logins: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export async function startLoginHelper(
  session: DemoSession,
  idpOrigin: string,
  login: (url: string) => Promise<string>,
): Promise<LoginHelper> {
  const helper = { browserCommand: undefined as string | undefined, logins: 0 };
  if (session.options.realBrowser) return helper;
  const helperPids = new Set<number>();
  const server = createServer((req, res) => {
    const pid = Number(req.headers['x-helper-pid']);
    if (Number.isInteger(pid) && pid > 0) helperPids.add(pid);
    let body = '';
    req.on('data', (d: Buffer) => (body += d));
    req.on('end', () => {
      let url: URL;
      try {
        url = new URL(body.trim());
      } catch {
        res.writeHead(400).end('demo browser: not a URL');
        return;
      }
      if (url.origin !== idpOrigin) {
        res.writeHead(403).end(`demo browser: ${url.origin} is not the demo IdP`);
        return;
      }
      login(url.href).then(
        (who) => {
          helper.logins++;
          res.writeHead(200).end(`demo browser: logged in as ${who} at ${url.origin}`);
        },
        (err: Error) => res.writeHead(502).end(`demo browser: login failed: ${err.message}`),
      );
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  session.onCleanup(async () => {
    await new Promise((closed) => server.close(closed));
    // The helper exits as soon as it has our answer; wait for it (briefly), so nothing outlives the demo.
    for (const pid of helperPids) {
      for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
      if (alive(pid)) process.kill(pid, 'SIGKILL');
    }
  });
  const control = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  helper.browserCommand = `${process.execPath} ${join(repo, 'scripts', 'demo', 'login-helper.cjs')} ${control}`;
  return helper;
}
