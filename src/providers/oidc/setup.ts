// What `setup-context oidc` needs from the provider: the get-token arguments (validated exactly as
// get-token will parse them), the client secret for the secret store, and a "who am I" of a
// token's claims for whoami and login.
import { booleanFlag, type FlagValues } from '../../exec/flags.js';
import { UsageError } from '../../shared/errors.js';
import type { CacheEntry } from '../../store/token-cache.js';
import type { CredentialDescription, SetupContext, SetupPlan, SetupRequest } from '../types.js';
import { identitySummary } from '../describe.js';
import { jwtPayload } from './jwt.js';

export async function oidcSetup(ctx: SetupContext, request: SetupRequest): Promise<SetupPlan> {
  const v: FlagValues = request.values;
  if (booleanFlag(v, 'oidc-insecure-skip-tls-verify')) {
    ctx.infra.log.warn(
      '--oidc-insecure-skip-tls-verify goes into the exec args: every kubectl run will talk to the IdP without verifying its certificate, refresh tokens included',
    );
  }
  if (!v['issuer-url']) throw new UsageError('--issuer-url is required (the OIDC issuer, e.g. https://keycloak.example.com/realms/main)');
  if (!v['client-id']) throw new UsageError('--client-id is required (the OAuth client registered for kubectl)');
  const secrets: Record<string, string> = {};
  if (booleanFlag(v, 'client-secret-stdin')) secrets.client_secret = request.stdinSecret!;
  const issuerHost = new URL(String(v['issuer-url'])).host;
  return {
    args: request.passArgs,
    secrets,
    installHint: `kubecred logs you in to ${issuerHost} for this cluster: install it (npm install -g kubecred) and put it on PATH`,
  };
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
export function claimFields(token: string): Array<[string, string | string[]]> {
  let claims: Record<string, unknown>;
  try {
    claims = jwtPayload(token);
  } catch {
    return [['token', 'opaque (not a JWT): the API server resolves who it is']];
  }
  const fields: Array<[string, string | string[]]> = [];
  const who = ['preferred_username', 'email', 'sub'].map((n) => claims[n]).find((v) => typeof v === 'string');
  if (who) fields.push(['user', `${who as string}${claims.sub && claims.sub !== who ? ` (sub ${String(claims.sub)})` : ''}`]);
  if (typeof claims.email === 'string' && claims.email !== who) fields.push(['email', claims.email]);
  const lists: Array<[string, string[]]> = [
    ['groups', stringsOf(claims.groups)],
    ['roles', stringsOf(claims.roles)],
    ['realm roles', stringsOf((claims.realm_access as { roles?: unknown } | undefined)?.roles)],
    ['iam_roles', stringsOf(claims.iam_roles)],
  ];
  for (const [name, values] of lists) if (values.length) fields.push([name, values]);
  if (lists.every(([, values]) => values.length === 0))
    fields.push(['groups', 'none in the token: RBAC sees the user name only (ask for a groups scope or mapper)']);
  return fields;
}

export function describeOidc(entry: CacheEntry): CredentialDescription {
  const credential = entry.credential;
  return {
    source: typeof entry.identity.issuer === 'string' ? entry.identity.issuer : undefined,
    summary: identitySummary(entry.identity, entry.label),
    fields: credential && 'token' in credential ? claimFields(credential.token) : [],
  };
}
