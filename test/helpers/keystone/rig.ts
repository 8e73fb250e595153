// A test rig for the Keystone provider: a real Keystone seeded like CloudVeneto, a counting proxy
// in front of it (kubecred talks to the proxy; the API server validates tokens against Keystone
// itself, so the proxy counts only kubecred's requests), and isolated homes (HOME, KUBECACHEDIR,
// KUBECONFIG in temp dirs) to run kubecred and the real kubectl in.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isolatedHome, runKubecred, type RunResult } from '../cli.js';
import { startKeystone, type KeystoneFixture } from '../../fixtures/keystone.js';
import { startApiServer, type ApiServerHandle } from '../../fixtures/apiserver.js';
import { findKubectl, runKubectl, type KubectlResult } from '../../fixtures/kubectl.js';
import { startCountingProxy, type CountingProxy } from './counting-proxy.js';
import { seedCloudVeneto, type CloudVeneto } from './seed.js';
import { argvLoggingWrapper } from './secrets.js';
import { runInPty, type PtyAnswer, type PtyResult } from './pty.js';
import { expireCacheEntries } from '../expire-cache.js';

export interface Rig {
  ks: KeystoneFixture;
  proxy: CountingProxy;
  api: ApiServerHandle;
  cv: CloudVeneto;
  close(): Promise<void>;
}

export async function startRig(): Promise<Rig> {
  const ks = await startKeystone();
  try {
    const cv = await seedCloudVeneto(ks);
    const proxy = await startCountingProxy(ks.url);
    const api = await startApiServer({ keystone: { authUrl: ks.url } });
    return {
      ks,
      proxy,
      api,
      cv,
      async close() {
        await api.close();
        await proxy.close();
        await ks.close();
        for (const dir of homes.splice(0)) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await ks.close();
    throw err;
  }
}

export interface Home {
  dir: string;
  env: Record<string, string>;
  kubeconfig: string;
  cacheDir: string;
  secretsDir: string;
  /** Every argv kubectl ran the exec plugin with (through the logging wrapper). */
  argvLog: string;
  /** The exec command to write: the logging wrapper. */
  execCommand: string;
  kubecred(args: string[], input?: string, extraEnv?: Record<string, string>): Promise<RunResult>;
  kubectl(args: string[], extraEnv?: Record<string, string>): Promise<KubectlResult>;
  /** Runs argv (e.g. [kubectl, …]) on a terminal, answering prompts. */
  pty(argv: string[], answers: PtyAnswer[], extraEnv?: Record<string, string>): Promise<PtyResult>;
  /** The cached entries (parsed token files). */
  cacheEntries(): Array<{ file: string; entry: any }>;
  /** Moves every cached token's expiry into the past (the token itself stays valid at Keystone). */
  expireCache(): void;
  /** A secret of the disk secret store by name (`password`, …); tests have no keyring. */
  storedSecret(name: string): string | undefined;
}

/**
 * runKubectl starts from this process's environment: blank what would reach past the isolated home
 * (a desktop keyring over D-Bus, an openrc sourced in the shell that runs the tests).
 */
function hostEnvBlanks(): Record<string, string> {
  const blanks: Record<string, string> = { DBUS_SESSION_BUS_ADDRESS: '', XDG_CONFIG_HOME: '' };
  for (const name of Object.keys(process.env)) if (name.startsWith('OS_')) blanks[name] = '';
  return blanks;
}

/** `--exec-api-version` the installed kubectl understands. */
export function execApiVersion(): string {
  return (findKubectl()?.minor ?? 32) >= 22 ? 'v1' : 'v1beta1';
}

/** Homes made by newHome, removed when the rig closes. */
const homes: string[] = [];

export function newHome(): Home {
  const { home, env } = isolatedHome('kubecred-ks-');
  homes.push(home);
  const argvLog = join(home, 'exec-argv.log');
  const execCommand = argvLoggingWrapper(home, argvLog);
  const cacheDir = join(env.KUBECACHEDIR!, 'kubecred');
  const h: Home = {
    dir: home,
    env,
    kubeconfig: env.KUBECONFIG!,
    cacheDir,
    secretsDir: join(cacheDir, 'secrets'),
    argvLog,
    execCommand,
    kubecred: (args, input, extraEnv) => runKubecred(args, { env: { ...env, ...extraEnv }, input }),
    kubectl: (args, extraEnv) =>
      runKubectl(args, {
        kubeconfig: env.KUBECONFIG!,
        env: { ...hostEnvBlanks(), ...env, ...extraEnv },
        cacheDir: join(home, 'kubectl-cache'),
      }),
    pty: (argv, answers, extraEnv) => runInPty(argv, { env: { ...env, ...extraEnv }, answers }),
    cacheEntries() {
      if (!existsSync(cacheDir)) return [];
      return readdirJson(cacheDir).map((file) => ({ file, entry: JSON.parse(readFileSync(file, 'utf8')) }));
    },
    storedSecret(name) {
      if (!existsSync(h.secretsDir)) return undefined;
      const file = readdirSync(h.secretsDir).find((f) => f.endsWith(`%2F${name}`));
      return file ? readFileSync(join(h.secretsDir, file), 'utf8') : undefined;
    },
    expireCache() {
      if (existsSync(cacheDir)) expireCacheEntries(cacheDir, 1000);
    },
  };
  return h;
}

function readdirJson(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => /^[0-9a-f]{64}\.json$/.test(n))
    .map((n) => join(dir, n));
}

/** `setup-context keystone` arguments for the rig's cluster, through the counting proxy. */
export function setupArgs(rig: Rig, home: Home, context: string, extra: string[], options: { authUrl?: boolean } = {}): string[] {
  return [
    'setup-context',
    'keystone',
    '--context',
    context,
    '--server',
    rig.api.url,
    '--certificate-authority-data',
    Buffer.from(rig.api.caPem).toString('base64'),
    '--exec-command',
    home.execCommand,
    '--exec-api-version',
    execApiVersion(),
    ...(options.authUrl === false ? [] : ['--auth-url', rig.proxy.url]),
    ...extra,
  ];
}

/** Every argv the exec plugin got, parsed from the wrapper's log. */
export function loggedArgv(home: Home): string[][] {
  if (!existsSync(home.argvLog)) return [];
  return readFileSync(home.argvLog, 'utf8')
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as string[]);
}
