// What `setup-context oidc` needs from the provider: the get-token arguments for the kubeconfig
// (validated exactly as get-token will parse them), the client secret into the secret store under
// the identity's key, and a "who am I" summary of a token's claims.
import { isAbsolute, resolve } from 'node:path';
import { parseFlags, UsageError } from '../../exec/flags.js';
import { cacheKey } from '../../store/cache-key.js';
import { openSecretStore, scopedSecrets } from '../../store/secret-store.js';
import { resolveCommonOptions } from '../../usecases/common-options.js';
import { oidcGetTokenFlags } from './flags.js';
import { oidcIdentity } from './identity.js';
import { oidcSettings, type OidcSettings } from './settings.js';
import { jwtPayload } from './jws.js';

export interface OidcSetupInput {
  issuerUrl?: string;
  clientId?: string;
  extraScope?: string[];
  grantType?: string;
  username?: string;
  loginHint?: string;
  useAccessToken?: boolean;
  listenAddress?: string[];
  redirectUrl?: string;
  skipOpenBrowser?: boolean;
  browserCommand?: string;
  oidcCaFile?: string[];
  oidcInsecureSkipTlsVerify?: boolean;
  authRequestExtraParam?: string[];
  offlineAccess?: boolean;
  authenticationTimeout?: string;
  tokenCacheStorage?: string;
  /** Further get-token flags, verbatim (`--pkce-method=no`). */
  getTokenArg?: string[];
}

export interface OidcExecArgs {
  /** `get-token oidc --issuer-url=… …` */
  args: string[];
  settings: OidcSettings;
  /** The identity's cache key and cache dir: where get-token will look for the client secret. */
  key: string;
  cacheDir: string;
}

/** `--name=value` pairs in a stable order; lists repeat the flag. */
export function oidcExecArgs(input: OidcSetupInput, env: Record<string, string | undefined>): OidcExecArgs {
  if (!input.issuerUrl) throw new UsageError('--issuer-url is required (the OIDC issuer, e.g. https://keycloak.example.com/realms/main)');
  if (!input.clientId) throw new UsageError('--client-id is required (the OAuth client registered for kubectl)');
  const flags: string[] = [`--issuer-url=${input.issuerUrl}`, `--client-id=${input.clientId}`];
  const add = (name: string, value: string | boolean | undefined) => {
    if (value === undefined || value === false) return;
    flags.push(value === true ? `--${name}` : `--${name}=${value}`);
  };
  for (const scope of input.extraScope ?? []) add('extra-scope', scope);
  add('grant-type', input.grantType);
  add('username', input.username);
  add('login-hint', input.loginHint);
  add('use-access-token', input.useAccessToken);
  for (const address of input.listenAddress ?? []) add('listen-address', address);
  add('redirect-url', input.redirectUrl);
  add('skip-open-browser', input.skipOpenBrowser);
  add('browser-command', input.browserCommand);
  // kubectl runs the plugin from anywhere: CA paths must not depend on the current directory.
  for (const file of input.oidcCaFile ?? []) add('oidc-ca-file', isAbsolute(file) ? file : resolve(file));
  add('insecure-skip-tls-verify', input.oidcInsecureSkipTlsVerify);
  for (const param of input.authRequestExtraParam ?? []) add('auth-request-extra-param', param);
  add('no-offline-access', input.offlineAccess === false);
  add('authentication-timeout', input.authenticationTimeout);
  add('token-cache-storage', input.tokenCacheStorage);
  flags.push(...(input.getTokenArg ?? []));

  // Parse what we are about to write exactly as get-token will: a mistake fails now, not at kubectl time.
  const { values, positionals } = parseFlags(oidcGetTokenFlags, flags, env);
  if (positionals.length) throw new UsageError(`--get-token-arg ${JSON.stringify(positionals[0])} is not a flag`);
  if (values['client-secret'] !== undefined) {
    throw new UsageError('a client secret never goes into the kubeconfig: pass --client-secret-stdin to keep it in the secret store');
  }
  const settings = oidcSettings(values, {});
  const common = resolveCommonOptions(values, env);
  return { args: ['get-token', 'oidc', ...flags], settings, key: cacheKey(oidcIdentity(values)), cacheDir: common.cacheDir };
}

/** Keeps the client secret where get-token looks for it (scoped to the identity's key). */
export async function storeClientSecret(target: Pick<OidcExecArgs, 'key' | 'cacheDir'>, secret: string, notice: (m: string) => void): Promise<string> {
  const store = await openSecretStore({ cacheDir: target.cacheDir, notice });
  await scopedSecrets(store, target.key).set('client_secret', secret);
  return store.backend === 'keyring' ? 'the keyring' : 'a 0600 file in the kubecred cache directory';
}

function stringsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

/**
 * Who a token speaks for, and the groups/roles in it (what RBAC will see). Claim names vary: groups
 * (Keycloak with a groups mapper, Dex, Mia-Platform), roles, Keycloak's realm_access.roles, and
 * MOSK's iam_roles (m:kaas@writer, m:k8s:<ns>:<cluster>@cluster-admin …).
 */
export function claimsSummary(token: string): string[] {
  let claims: Record<string, unknown>;
  try {
    claims = jwtPayload(token);
  } catch {
    return ['the token is opaque (not a JWT): the API server resolves who it is'];
  }
  const lines: string[] = [];
  const who = ['preferred_username', 'email', 'sub'].map((n) => claims[n]).find((v) => typeof v === 'string');
  if (who) lines.push(`user: ${who as string}${claims.sub && claims.sub !== who ? ` (sub ${String(claims.sub)})` : ''}`);
  const lists: Array<[string, string[]]> = [
    ['groups', stringsOf(claims.groups)],
    ['roles', stringsOf(claims.roles)],
    ['realm roles', stringsOf((claims.realm_access as { roles?: unknown } | undefined)?.roles)],
    ['iam_roles', stringsOf(claims.iam_roles)],
  ];
  for (const [name, values] of lists) if (values.length) lines.push(`${name}: ${values.join(', ')}`);
  if (lists.every(([, v]) => v.length === 0)) lines.push('no groups or roles in the token: RBAC sees the user name only (ask for a groups scope or mapper)');
  return lines;
}
