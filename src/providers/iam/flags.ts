// `get-token iam` flags. Names shared with `get-token oidc` mean the same thing (the IAM provider
// hands them to the OIDC engine). Pure data: read without loading the provider.
import type { FlagSpec } from '../../exec/flags.js';
import { commonGetTokenFlags } from '../../exec/common-flags.js';

/** INFN's IAM; CloudVeneto also trusts https://iam.quantumtea.it/. Kept with its trailing slash. */
export const DEFAULT_IAM_ISSUER = 'https://iam.cloud.infn.it/';
export const KNOWN_IAM_ISSUERS = [DEFAULT_IAM_ISSUER, 'https://iam.quantumtea.it/'] as const;
export const IAM_GRANT_TYPES = ['device-code', 'authcode'] as const;
export const AUDIENCE_PARAMS = ['audience', 'resource', 'aud'] as const;

export const iamGetTokenFlags: readonly FlagSpec[] = [
  {
    name: 'issuer-url',
    type: 'string',
    aliases: ['oidc-issuer-url'],
    description: `IAM issuer URL, exactly as kube-apiserver's --oidc-issuer-url (trailing slash included); also ${KNOWN_IAM_ISSUERS[1]}`,
    defaultText: DEFAULT_IAM_ISSUER,
  },
  {
    name: 'client-id',
    type: 'string',
    aliases: ['oidc-client-id'],
    description: 'OAuth client ID; without it kubecred registers a client at the IAM (one per issuer, reused)',
  },
  { name: 'audience', type: 'string', description: "audience the access token must carry (the cluster's --oidc-client-id)" },
  {
    name: 'audience-param',
    type: 'string',
    description: 'request parameter that carries --audience: audience, resource or aud',
    defaultText: 'audience',
  },
  { name: 'use-id-token', type: 'boolean', description: 'hand kubectl the ID token instead of the access token' },
  {
    name: 'extra-scope',
    type: 'list',
    splitCommas: true,
    aliases: ['oidc-extra-scope'],
    description: 'scope besides openid profile email offline_access (or several, comma-separated)',
  },
  {
    name: 'grant-type',
    type: 'string',
    description: 'device-code (works over SSH) or authcode (a browser on this machine)',
    defaultText: 'device-code',
  },
  {
    name: 'oidc-agent-account',
    type: 'string',
    description: 'ask the running oidc-agent (OIDC_SOCK) for tokens of this account instead of logging in',
  },
  { name: 'login-hint', type: 'string', description: 'account to log in as; keeps several accounts of one IAM apart' },
  {
    name: 'listen-address',
    type: 'list',
    splitCommas: true,
    description: 'authcode: loopback host:port for the callback; the first free one wins',
    defaultText: '127.0.0.1:8000, 127.0.0.1:18000',
  },
  { name: 'browser-command', type: 'string', description: 'command that opens the login URL (gets it as its last argument)' },
  { name: 'skip-open-browser', type: 'boolean', description: 'authcode: print the URL instead of opening a browser' },
  { name: 'authentication-timeout', type: 'string', description: 'how long to wait for a login', defaultText: '180s' },
  { name: 'request-timeout', type: 'string', description: 'timeout of each request to the IAM', defaultText: '30s' },
  { name: 'oidc-ca-file', type: 'list', path: true, description: 'PEM file of a CA to trust for the IAM' },
  { name: 'oidc-ca-data', type: 'list', description: 'base64 PEM of a CA to trust for the IAM' },
  // Not `--insecure-skip-tls-verify`: setup-context has that flag for the API server.
  { name: 'oidc-insecure-skip-tls-verify', type: 'boolean', description: 'do not verify the IAM certificate (unsafe)' },
  ...commonGetTokenFlags,
];
