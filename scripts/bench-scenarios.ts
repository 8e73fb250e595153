// Bench scenarios beyond the cache hit. The OIDC refresh: a cached, expired ID token and a stored
// refresh token; every measured run refreshes with no browser. Alongside the ratio it reports how
// many requests each refresh made to the IdP, by endpoint (the target: one token request, nothing else).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startIdp } from '../test/fixtures/idp.js';
import { readEntry, writeEntry } from '../src/store/token-cache.js';
import { listKeys } from '../src/store/token-cache.js';
import { bin, comparePaired, measure, printRow } from './bench-lib.js';
import { tenantCacheHitScenario } from './bench-tenant.js';

const repo = resolve(import.meta.dirname, '..');

function runKubecred(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], { env, cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stderr }));
  });
}

async function oidcRefreshScenario(): Promise<void> {
  const idp = await startIdp({});
  const home = mkdtempSync(join(tmpdir(), 'kubecred-bench-refresh-'));
  const cacheDir = join(home, 'cache', 'kubecred');
  const env = {
    ...process.env,
    HOME: home,
    KUBECACHEDIR: join(home, 'cache'),
    DBUS_SESSION_BUS_ADDRESS: '',
    KUBERNETES_EXEC_INFO: JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', spec: { interactive: false } }),
  };
  const browser = `${process.execPath} --import tsx ${join(repo, 'scripts', 'demo-browser.ts')}`;
  const args = ['get-token', 'oidc', `--issuer-url=${idp.issuer}`, `--client-id=${idp.publicClientId}`, '--extra-scope=email', `--browser-command=${browser}`];
  try {
    const login = await runKubecred(args, env);
    if (login.code !== 0) throw new Error(`bench login failed: ${login.stderr}`);
    const [key] = listKeys(cacheDir);
    const expire = () => {
      const read = readEntry(cacheDir, key!);
      if (read.status !== 'hit') throw new Error('bench: no cache entry after login');
      writeEntry(cacheDir, key!, { ...read.entry, expiresAt: new Date(Date.now() - 1000).toISOString() });
    };
    let runs = 0;
    idp.resetCounts();
    const result = await comparePaired('get-token (OIDC refresh)', async () => {
      expire();
      runs++;
      return measure([process.execPath, bin, ...args], env);
    });
    const perRun = Object.entries(idp.counts)
      .filter(([name, n]) => name !== 'token_by_grant' && typeof n === 'number' && n > 0)
      .map(([name, n]) => `${name} ${((n as number) / runs).toFixed(2)}`)
      .join(', ');
    printRow(result, `  IdP requests per refresh: ${perRun || 'none'}`);
  } finally {
    await idp.close();
    rmSync(home, { recursive: true, force: true });
  }
}

export const extraScenarios: Array<() => Promise<void>> = [oidcRefreshScenario, tenantCacheHitScenario];
