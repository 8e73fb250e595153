// Misses against the local IdP: the OIDC refresh (cached ID token expired, refresh token stored)
// vs `node -e 0`, with the IdP requests each refresh made; and crowds of get-token on expired keys,
// where the per-key lock must turn N waiting processes into one refresh per key. The IAM refresh
// is the same measure against the IAM-like IdP, after a setup-context iam login as the IAM tests do it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { startIdp, type IdpHandle } from '../test/fixtures/idp.js';
import { AUDIENCE, authcodeSetupArgs, startIamRig } from '../test/helpers/iam/rig.js';
import { listKeys, readEntry, writeEntry } from '../src/store/token-cache.js';
import { announce, bin, comparePaired, EXEC_INFO, measure, nodeFloor, pairedRow, repo, SHORT, type Row } from './bench-lib.js';

function runKubecred(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stderr: string }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [bin, ...args], { env, cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => done({ code, stderr }));
  });
}

interface LoggedIn {
  home: string;
  env: NodeJS.ProcessEnv;
  args: string[];
  /** Moves the cached ID token's expiry into the past (the refresh token stays valid). */
  expire(): void;
}

/** A home logged in once through the browser flow (the demo's scripted browser). */
async function loggedIn(idp: IdpHandle, extra: string[] = []): Promise<LoggedIn> {
  const home = mkdtempSync(join(tmpdir(), 'kubecred-bench-refresh-'));
  const cacheDir = join(home, 'cache', 'kubecred');
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    KUBECACHEDIR: join(home, 'cache'),
    DBUS_SESSION_BUS_ADDRESS: '',
    KUBERNETES_EXEC_INFO: EXEC_INFO,
  };
  const browser = `${process.execPath} --import tsx ${join(repo, 'scripts', 'demo-browser.ts')}`;
  const args = ['get-token', 'oidc', `--issuer-url=${idp.issuer}`, `--client-id=${idp.publicClientId}`, '--extra-scope=email', ...extra];
  const login = await runKubecred([...args, `--browser-command=${browser}`], env);
  if (login.code !== 0) throw new Error(`bench login failed: ${login.stderr}`);
  return {
    home,
    env,
    args,
    expire() {
      for (const key of listKeys(cacheDir)) {
        const read = readEntry(cacheDir, key);
        if (read.status !== 'hit') throw new Error('bench: no cache entry after login');
        writeEntry(cacheDir, key, { ...read.entry, expiresAt: new Date(Date.now() - 1000).toISOString() });
      }
    },
  };
}

const requestsOf = (idp: IdpHandle) =>
  Object.entries(idp.counts).filter(([name, n]) => name !== 'token_by_grant' && typeof n === 'number' && n > 0) as Array<[string, number]>;

export async function refreshRows(): Promise<Row[]> {
  const idp = await startIdp({});
  const homes: string[] = [];
  try {
    const rows: Row[] = [];
    const one = await loggedIn(idp);
    homes.push(one.home);
    let runs = 0;
    idp.resetCounts();
    const p = await comparePaired(
      'get-token oidc, refresh (expired ID token)',
      async () => {
        one.expire();
        runs++;
        return measure([process.execPath, bin, ...one.args], one.env);
      },
      nodeFloor(one.env),
    );
    const perRun = requestsOf(idp).map(([name, n]) => [name, n / runs] as const);
    const onlyToken = perRun.length === 1 && perRun[0]![0] === 'token' && perRun[0]![1] === 1;
    const row = pairedRow(p, { wall: 2.5 });
    row.ratio += `; IdP requests per refresh: ${perRun.map(([n, k]) => `${n} ${k.toFixed(2)}`).join(', ') || 'none'}`;
    row.target += ', exactly 1 request (token)';
    row.holds = row.holds && onlyToken;
    rows.push(row);
    announce(row);

    // 64 processes at once on one expired key, then 64 spread over 8 keys.
    const crowd = SHORT ? 16 : 64;
    rows.push(await crowdRow(idp, [one], crowd));
    const eight = [one];
    for (let i = 1; i < 8; i++) {
      const h = await loggedIn(idp, [`--login-hint=bench-${i}`]);
      homes.push(h.home);
      eight.push(h);
    }
    rows.push(await crowdRow(idp, eight, crowd));
    return rows;
  } finally {
    await idp.close();
    for (const h of homes) rmSync(h, { recursive: true, force: true });
  }
}

async function crowdRow(idp: IdpHandle, keys: LoggedIn[], n: number): Promise<Row> {
  for (const k of keys) k.expire();
  idp.resetCounts();
  const start = performance.now();
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) => runKubecred(keys[i % keys.length]!.args, keys[i % keys.length]!.env)),
  );
  const wall = performance.now() - start;
  const failures = results.filter((r) => r.code !== 0);
  const refreshes = idp.counts.token_by_grant.refresh_token ?? 0;
  const other = requestsOf(idp).filter(([name]) => name !== 'token');
  const row: Row = {
    scenario: `${n} concurrent get-token oidc on ${keys.length === 1 ? 'one expired key' : `${keys.length} expired keys`}`,
    measured: `${wall.toFixed(0)} ms total; ${refreshes} refreshes, ${failures.length} failures${other.length ? `; other IdP requests: ${other.map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}`,
    baseline: '—',
    ratio: `${(wall / n).toFixed(1)} ms per process`,
    target: `${keys.length} refresh${keys.length === 1 ? '' : 'es'}, 0 failures`,
    holds: refreshes === keys.length && failures.length === 0,
    note: SHORT ? `short mode: ${n} processes instead of 64` : undefined,
  };
  if (failures.length) console.log(`crowd failures, first: ${failures[0]!.stderr.trim()}`);
  announce(row);
  return row;
}

/** The `get-token …` args setup-context wrote into the kubeconfig for `context`. */
function execArgs(kubeconfig: string, context: string): string[] {
  const config = parse(readFileSync(kubeconfig, 'utf8')) as {
    contexts: Array<{ name: string; context: { user: string } }>;
    users: Array<{ name: string; user: { exec?: { args?: string[] } } }>;
  };
  const user = config.contexts.find((c) => c.name === context)?.context.user;
  const args = config.users.find((u) => u.name === user)?.user.exec?.args;
  if (!args) throw new Error(`bench: setup-context wrote no exec entry for context ${context}`);
  return args;
}

/**
 * IAM: access token expired, refresh token and the registered client's secret stored. The login
 * (dynamic registration, then the browser flow the IAM tests use, completed by their HTTP
 * "browser") is the cheapest: the default device flow waits 5 s for its first poll, as IAM sends
 * no interval. A refresh does not depend on how the login went: the same stored client, the same
 * refresh_token grant with the audience.
 */
export async function iamRefreshRows(): Promise<Row[]> {
  const rig = await startIamRig();
  try {
    const setup = await rig.setup('bench-iam', authcodeSetupArgs(rig));
    if (setup.code !== 0) throw new Error(`bench: setup-context iam failed: ${setup.stderr}`);
    const args = execArgs(rig.kubeconfig, 'bench-iam');
    const env = { ...rig.env, KUBERNETES_EXEC_INFO: EXEC_INFO };
    let runs = 0;
    rig.idp.resetCounts();
    const p = await comparePaired(
      'get-token iam, refresh (expired access token)',
      async () => {
        rig.expireCachedTokens();
        runs++;
        return measure([process.execPath, bin, ...args], env);
      },
      nodeFloor(env),
    );
    const perRun = Object.entries(rig.idp.counts)
      .filter(([, n]) => n > 0)
      .map(([name, n]) => [name, n / runs] as const);
    const refreshes = rig.idp.tokenRequests.filter((r) => r.grant === 'refresh_token' && r.audience === AUDIENCE).length;
    const onlyToken = perRun.length === 1 && perRun[0]![0] === 'token' && perRun[0]![1] === 1 && refreshes === runs;
    const row = pairedRow(p, { wall: 2.5 });
    row.ratio += `; IAM requests per refresh: ${perRun.map(([n, k]) => `${n} ${k.toFixed(2)}`).join(', ') || 'none'}`;
    row.target += ', exactly 1 request (token, refresh_token grant with the audience)';
    row.holds = row.holds && onlyToken;
    announce(row);
    return [row];
  } finally {
    await rig.close();
    rmSync(rig.home, { recursive: true, force: true });
  }
}
