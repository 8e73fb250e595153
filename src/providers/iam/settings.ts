// `get-token iam` flags (+ env) → validated settings, and the OIDC engine's settings once the
// client is known (from --client-id or the issuer's registration). The audience rides on the
// device/authorization request (auth params) and on every token request (token params).
import { UsageError } from '../../shared/errors.js';
import { booleanFlag, listFlag, parseDuration, stringFlag, type FlagValues } from '../../exec/flags.js';
import type { HttpOptions } from '../../infra/http.js';
import { resolveCommonOptions } from '../../exec/common-options.js';
import {
  oidcSettings,
  parseListenAddress,
  DEFAULT_LISTEN_ADDRESSES,
  DEFAULT_REQUEST_TIMEOUT_MS,
  DEFAULT_AUTH_TIMEOUT_MS,
  type OidcSettings,
} from '../oidc/settings.js';
import { AUDIENCE_PARAMS, DEFAULT_IAM_ISSUER, IAM_GRANT_TYPES } from './flags.js';
import { BASE_SCOPES } from './registration.js';

export type AudienceParam = (typeof AUDIENCE_PARAMS)[number];
export type IamGrant = (typeof IAM_GRANT_TYPES)[number];

export interface IamSettings {
  /** Exactly as given: kube-apiserver compares it byte for byte. */
  issuerUrl: string;
  clientId?: string;
  audience?: string;
  audienceParam: AudienceParam;
  useIdToken: boolean;
  /** Scopes besides openid profile email offline_access. */
  extraScopes: string[];
  grantType: IamGrant;
  agentAccount?: string;
  minValidityMs: number;
  authTimeoutMs: number;
  http: HttpOptions;
  /** authcode registrations: the loopback redirect URIs kubecred may listen on. */
  redirectUris: string[];
  /** The flag values as parsed: the OIDC engine's settings are built from them. */
  values: FlagValues;
  env: Record<string, string | undefined>;
}

function choice<T extends string>(flag: string, value: string | undefined, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (!(choices as readonly string[]).includes(value))
    throw new UsageError(`--${flag} takes ${choices.join(', ')}, not ${JSON.stringify(value)}`);
  return value as T;
}

export function iamSettings(values: FlagValues, env: Record<string, string | undefined>): IamSettings {
  const issuerUrl = stringFlag(values, 'issuer-url') ?? DEFAULT_IAM_ISSUER;
  let issuer: URL;
  try {
    issuer = new URL(issuerUrl);
  } catch {
    throw new UsageError(`--issuer-url ${JSON.stringify(issuerUrl)} is not a URL: write it like ${DEFAULT_IAM_ISSUER}`);
  }
  if (issuer.protocol !== 'https:' && issuer.protocol !== 'http:')
    throw new UsageError(`--issuer-url must be an https URL, not ${JSON.stringify(issuerUrl)}`);
  if (issuer.search || issuer.hash) throw new UsageError(`--issuer-url must not carry a query or fragment: ${JSON.stringify(issuerUrl)}`);
  const audience = stringFlag(values, 'audience') || undefined;
  const useIdToken = booleanFlag(values, 'use-id-token');
  const agentAccount = stringFlag(values, 'oidc-agent-account') || undefined;
  const clientId = stringFlag(values, 'client-id') || undefined;
  if (useIdToken && audience) {
    throw new UsageError(
      '--use-id-token hands kubectl the ID token, whose audience is the client id: --audience applies to access tokens; drop one of them',
    );
  }
  if (agentAccount && (clientId || useIdToken)) {
    throw new UsageError(
      `--oidc-agent-account takes access tokens from oidc-agent's account ${agentAccount}: drop ${clientId ? '--client-id' : '--use-id-token'}`,
    );
  }
  const grantType = choice('grant-type', stringFlag(values, 'grant-type'), IAM_GRANT_TYPES, 'device-code');
  const listen = listFlag(values, 'listen-address');
  const redirectHosts = (listen.length ? listen : DEFAULT_LISTEN_ADDRESSES).map(parseListenAddress);
  const requestTimeout = stringFlag(values, 'request-timeout');
  const authTimeout = stringFlag(values, 'authentication-timeout');
  return {
    issuerUrl,
    clientId,
    audience,
    audienceParam: choice('audience-param', stringFlag(values, 'audience-param'), AUDIENCE_PARAMS, 'audience'),
    useIdToken,
    extraScopes: [...new Set(listFlag(values, 'extra-scope').filter((s) => !(BASE_SCOPES as readonly string[]).includes(s)))],
    grantType,
    agentAccount,
    minValidityMs: resolveCommonOptions(values, env).minValidityMs,
    authTimeoutMs: authTimeout === undefined ? DEFAULT_AUTH_TIMEOUT_MS : parseDuration('authentication-timeout', authTimeout),
    http: {
      caFiles: listFlag(values, 'oidc-ca-file'),
      caData: listFlag(values, 'oidc-ca-data'),
      insecureSkipTlsVerify: booleanFlag(values, 'oidc-insecure-skip-tls-verify'),
      timeoutMs: requestTimeout === undefined ? DEFAULT_REQUEST_TIMEOUT_MS : parseDuration('request-timeout', requestTimeout),
      env,
      caFlag: '--oidc-ca-file',
    },
    // IAM compares redirect URIs exactly; the port-less form serves a random test port (port 0).
    redirectUris: redirectHosts.map((a) => (a.port === 0 ? 'http://localhost' : `http://localhost:${a.port}`)),
    values,
    env,
  };
}

/** The flags of `get-token oidc` the IAM flags share (same names, same meaning). */
const SHARED_WITH_OIDC = [
  'login-hint',
  'listen-address',
  'browser-command',
  'skip-open-browser',
  'authentication-timeout',
  'request-timeout',
  'oidc-ca-file',
  'oidc-ca-data',
  'oidc-insecure-skip-tls-verify',
  'min-validity',
  'token-cache-dir',
  'token-cache-storage',
];

/** The OIDC engine's settings for this IAM identity and client. */
export function engineSettings(s: IamSettings, clientId: string, clientSecret: string | undefined): OidcSettings {
  const values: FlagValues = {};
  for (const name of SHARED_WITH_OIDC) if (s.values[name] !== undefined) values[name] = s.values[name];
  values['issuer-url'] = s.issuerUrl;
  values['client-id'] = clientId;
  values['extra-scope'] = [...BASE_SCOPES.filter((x) => x !== 'openid'), ...s.extraScopes];
  values['grant-type'] = s.grantType;
  values['use-access-token'] = !s.useIdToken;
  const audience: Array<[string, string]> = s.audience ? [[s.audienceParam, s.audience]] : [];
  const settings = oidcSettings(values, s.env);
  return {
    ...settings,
    clientSecret: clientSecret ?? settings.clientSecret,
    // On the device authorization / authorization request, and on every token request (IAM needs
    // it again at each refresh, else the new access token has no audience).
    authParams: [...settings.authParams, ...audience],
    tokenParams: audience,
  };
}
