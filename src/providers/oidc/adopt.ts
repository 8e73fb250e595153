// convert-kubeconfig for OIDC: kubelogin exec entries (`kubectl oidc-login get-token …`,
// `kubelogin get-token …`, `kubectl-oidc_login get-token …`; Mia-Platform's recipe and Cozystack's
// kubeconfig Secrets are such entries) and the legacy `auth-provider: oidc`. Secrets leave the
// kubeconfig for the secret store; a refresh token kubelogin cached (or the auth-provider kept) is
// taken along so nobody has to log in again.
import { basename, isAbsolute, join, resolve } from 'node:path';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import type { Adopter, AdoptOutcome, ForeignUser } from '../adoption.js';
import { readForeignArgs } from '../foreign-args.js';
import { parseFlags, stringFlag } from '../../exec/flags.js';
import { oidcGetTokenFlags } from './flags.js';
import { normalizeIssuer } from './identity.js';

const SECRET_FLAGS = { 'client-secret': 'client_secret', password: 'password' } as const;

function kubeloginArgs(user: ForeignUser): { argv: string[]; from: string } | { refused: string; from: string } | undefined {
  const exec = user.exec;
  if (!exec?.command) return undefined;
  const command = basename(exec.command).replace(/\.exe$/i, '');
  const args = exec.args ?? [];
  let rest: string[];
  let from: string;
  if (command === 'kubectl' && args[0] === 'oidc-login') {
    from = 'kubectl oidc-login';
    rest = args.slice(1);
  } else if (command === 'kubectl-oidc_login' || command === 'kubelogin') {
    from = command;
    rest = args;
  } else {
    return undefined;
  }
  // Azure's kubelogin has the same name and a get-token of its own.
  if (command === 'kubelogin' && rest.some((a) => /^--?(server-id|login|l)(=|$)/.test(a) || a === 'convert-kubeconfig')) return undefined;
  if (rest[0] !== 'get-token') return { refused: `${from} ${rest[0] ?? ''} is not get-token`.trim(), from };
  return { argv: rest.slice(1), from: `${from} get-token` };
}

/** kubelogin's token cache directory for these args (its default, or --token-cache-dir). */
function kubeloginCacheDir(argv: readonly string[], env: Record<string, string | undefined>): string {
  for (let i = 0; i < argv.length; i++) {
    const m = /^--token-cache-dir(?:=(.*))?$/.exec(argv[i]!);
    if (m) {
      const dir = m[1] ?? argv[i + 1] ?? '';
      return dir.startsWith('~/') ? join(env.HOME ?? '', dir.slice(2)) : dir;
    }
  }
  return env.KUBECACHEDIR ? join(env.KUBECACHEDIR, 'oidc-login') : join(env.HOME ?? '', '.kube', 'cache', 'oidc-login');
}

function jwtClaims(token: unknown): Record<string, unknown> | undefined {
  if (typeof token !== 'string') return undefined;
  const part = token.split('.')[1];
  if (!part) return undefined;
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/**
 * The newest refresh token kubelogin cached for this issuer and client, found by the ID token next
 * to it (kubelogin names its files by a hash of its own settings). Files another user could have
 * written are not trusted.
 */
export function findKubeloginRefreshToken(dir: string, issuer: string, clientId: string): string | undefined {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return undefined;
  }
  let best: { token: string; iat: number } | undefined;
  for (const name of names) {
    if (name.endsWith('.lock')) continue;
    const path = join(dir, name);
    try {
      const st = statSync(path);
      if (!st.isFile() || (st.mode & 0o022) !== 0 || (process.getuid && st.uid !== process.getuid())) continue;
      const doc = JSON.parse(readFileSync(path, 'utf8')) as { id_token?: unknown; refresh_token?: unknown };
      const claims = jwtClaims(doc.id_token);
      if (typeof doc.refresh_token !== 'string' || doc.refresh_token === '' || !claims) continue;
      const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (typeof claims.iss !== 'string' || normalizeIssuer(claims.iss) !== normalizeIssuer(issuer) || !aud.includes(clientId)) continue;
      const iat = typeof claims.iat === 'number' ? claims.iat : 0;
      if (!best || iat > best.iat) best = { token: doc.refresh_token, iat };
    } catch {
      // not a kubelogin cache file
    }
  }
  return best?.token;
}

function checkOurs(args: string[]): string | undefined {
  try {
    const { values } = parseFlags(oidcGetTokenFlags, args);
    if (!stringFlag(values, 'issuer-url')) return 'it has no --oidc-issuer-url';
    if (!stringFlag(values, 'client-id')) return 'it has no --oidc-client-id';
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

function adoptKubelogin(user: ForeignUser, env: Record<string, string | undefined>): AdoptOutcome | undefined {
  const found = kubeloginArgs(user);
  if (!found) return undefined;
  if ('refused' in found) return { status: 'refused', from: found.from, reason: found.refused };
  const read = readForeignArgs(oidcGetTokenFlags, found.argv, {
    secretFlags: SECRET_FLAGS,
    drop: {
      'token-cache-dir': "kubelogin's cache directory; kubecred keeps its own cache",
    },
    // kubelogin <= 1.31 --listen-port N (repeatable) meant 127.0.0.1:N.
    translate: (name, value) => (name === 'listen-port' && value ? { name: 'listen-address', value: `127.0.0.1:${value}` } : undefined),
    translatedTakeValue: new Set(['listen-port']),
  });
  if (!read.ok) return { status: 'refused', from: found.from, reason: read.reason };
  const args = read.args;
  const notes = [...read.notes];
  const problem = checkOurs(args);
  if (problem) return { status: 'refused', from: found.from, reason: problem };
  const { values } = parseFlags(oidcGetTokenFlags, args);
  const secrets = { ...read.secrets };
  const refresh = findKubeloginRefreshToken(
    kubeloginCacheDir(found.argv, env),
    stringFlag(values, 'issuer-url')!,
    stringFlag(values, 'client-id')!,
  );
  if (refresh) {
    secrets.refresh_token = refresh;
    notes.push("took kubelogin's cached refresh token into the secret store (no new login needed)");
  }
  const env_ = (user.exec?.env ?? []).filter((e) => !/(SECRET|PASSWORD|TOKEN)/i.test(e.name));
  return { status: 'adopted', from: found.from, args, env: env_.length ? env_ : undefined, secrets, notes };
}

const AUTH_PROVIDER_KEYS = new Set([
  'idp-issuer-url',
  'client-id',
  'client-secret',
  'extra-scopes',
  'idp-certificate-authority',
  'idp-certificate-authority-data',
  'id-token',
  'refresh-token',
]);

function adoptAuthProvider(user: ForeignUser, kubeconfigDir: string): AdoptOutcome | undefined {
  const ap = user.authProvider;
  if (!ap || ap.name !== 'oidc') return undefined;
  const from = 'auth-provider oidc';
  const config = ap.config ?? {};
  const unknown = Object.keys(config).filter((k) => !AUTH_PROVIDER_KEYS.has(k));
  if (unknown.length) return { status: 'refused', from, reason: `config key ${unknown[0]} is not understood by kubecred` };
  const issuer = config['idp-issuer-url'];
  const clientId = config['client-id'];
  if (!issuer || !clientId) return { status: 'refused', from, reason: 'it has no idp-issuer-url or client-id' };
  const args = [`--issuer-url=${issuer}`, `--client-id=${clientId}`];
  for (const scope of (config['extra-scopes'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean))
    args.push(`--extra-scope=${scope}`);
  const caFile = config['idp-certificate-authority'];
  // kubectl reads a relative path relative to the kubeconfig's directory.
  if (caFile) args.push(`--oidc-ca-file=${isAbsolute(caFile) ? caFile : resolve(kubeconfigDir, caFile)}`);
  if (config['idp-certificate-authority-data']) args.push(`--oidc-ca-data=${config['idp-certificate-authority-data']}`);
  const secrets: Record<string, string> = {};
  const notes: string[] = [];
  if (config['refresh-token']) {
    secrets.refresh_token = config['refresh-token'];
    notes.push('moved the refresh token into the secret store (no new login needed)');
  } else {
    notes.push('no refresh token was kept: the first kubectl run logs in');
  }
  if (config['client-secret']) {
    secrets.client_secret = config['client-secret'];
    notes.push('moved client-secret into the secret store');
  }
  if (config['id-token']) notes.push('dropped the cached id-token (kubecred gets a fresh one with the refresh token)');
  return { status: 'adopted', from, args, secrets, notes };
}

export const adoptOidc: Adopter = (user, { env, kubeconfigDir }) =>
  adoptKubelogin(user, env) ?? adoptAuthProvider(user, kubeconfigDir ?? '.');
