// `get-token oidc` flags, with kubelogin's spellings as aliases so an existing
// `kubectl oidc-login get-token …` line works after swapping the command. Pure data.
import type { FlagSpec } from '../../exec/flags.js';
import { commonGetTokenFlags } from '../../exec/common-flags.js';

export const oidcGetTokenFlags: readonly FlagSpec[] = [
  { name: 'issuer-url', type: 'string', aliases: ['oidc-issuer-url'], description: 'OIDC issuer URL (required)' },
  { name: 'client-id', type: 'string', aliases: ['oidc-client-id'], description: 'OAuth client ID (required)' },
  {
    name: 'client-secret',
    type: 'string',
    aliases: ['oidc-client-secret'],
    description: 'client secret of a confidential client (prefer KUBECRED_CLIENT_SECRET or the secret store)',
    setup: 'never',
    setupRefusal:
      '--client-secret would leave the secret in your shell history and the kubeconfig: pass --client-secret-stdin and type or pipe it',
  },
  {
    name: 'extra-scope',
    type: 'list',
    splitCommas: true,
    aliases: ['oidc-extra-scope'],
    description: 'scope to request besides openid (or several, comma-separated)',
  },
  {
    name: 'grant-type',
    type: 'string',
    description: 'auto, authcode, authcode-keyboard, device-code, password or client-credentials',
    defaultText: 'auto',
  },
  { name: 'username', type: 'string', description: 'username for the password grant' },
  {
    name: 'password',
    type: 'string',
    description: 'refused: use the prompt or KUBECRED_PASSWORD',
    setup: 'never',
    setupRefusal:
      '--password is refused: a password must not sit in a kubeconfig or a process list; it is asked for at login (or read from KUBECRED_PASSWORD)',
  },
  {
    name: 'listen-address',
    type: 'list',
    splitCommas: true,
    description: 'host:port for the authorization code callback, the first free one wins; 0.0.0.0 (containers) is allowed with a warning',
    defaultText: '127.0.0.1:8000, 127.0.0.1:18000',
  },
  {
    name: 'listen-port',
    type: 'list',
    splitCommas: true,
    description: 'old kubelogin (<= 1.31) spelling: port of the callback on 127.0.0.1 (prefer --listen-address)',
  },
  {
    name: 'redirect-url',
    type: 'string',
    aliases: ['oidc-redirect-url'],
    description: 'redirect URI to send instead of http://<hostname>:<port>',
  },
  {
    name: 'redirect-url-hostname',
    type: 'string',
    aliases: ['oidc-redirect-url-hostname'],
    description: 'host name in the redirect URI of the loopback callback (the server still binds the loopback address)',
    defaultText: 'localhost',
  },
  {
    name: 'redirect-url-authcode-keyboard',
    type: 'string',
    aliases: ['oidc-redirect-url-authcode-keyboard'],
    description: 'redirect URI for authcode-keyboard; the code (or the whole URL it lands on) is pasted back',
    defaultText: 'urn:ietf:wg:oauth:2.0:oob',
  },
  { name: 'browser-command', type: 'string', description: 'command that opens the authorization URL (gets it as its last argument)' },
  { name: 'skip-open-browser', type: 'boolean', description: 'print the URL instead of opening a browser' },
  {
    name: 'authentication-timeout',
    type: 'string',
    aliases: ['authentication-timeout-sec'],
    description: 'how long to wait for an interactive login',
    defaultText: '180s',
  },
  {
    name: 'use-access-token',
    type: 'boolean',
    aliases: ['oidc-use-access-token'],
    description: 'hand kubectl the access token instead of the ID token',
  },
  {
    name: 'auth-request-extra-param',
    type: 'list',
    aliases: ['oidc-auth-request-extra-params'],
    pairs: true,
    description: 'extra key=value parameter for the authorization request',
  },
  {
    name: 'request-header',
    type: 'list',
    pairs: true,
    aliases: ['oidc-request-header'],
    description: 'extra key=value header for requests to the IdP',
  },
  {
    name: 'oidc-ca-file',
    type: 'list',
    aliases: ['certificate-authority'],
    description: 'PEM file of a CA to trust for the IdP',
    path: true,
  },
  { name: 'oidc-ca-data', type: 'list', aliases: ['certificate-authority-data'], description: 'base64 PEM of a CA to trust for the IdP' },
  // setup-context's --insecure-skip-tls-verify is the API server's; this one is the IdP's.
  {
    name: 'oidc-insecure-skip-tls-verify',
    type: 'boolean',
    aliases: ['insecure-skip-tls-verify'],
    description: 'do not verify the IdP certificate (unsafe)',
  },
  { name: 'login-hint', type: 'string', description: 'account to log in as; keeps several accounts of one IdP apart' },
  { name: 'pkce-method', type: 'string', aliases: ['oidc-pkce-method'], description: 'auto, S256 or no', defaultText: 'auto' },
  { name: 'oidc-use-pkce', type: 'boolean', ignored: true, description: 'accepted for kubelogin compatibility; PKCE is automatic' },
  { name: 'no-offline-access', type: 'boolean', description: 'do not request offline_access even when the IdP advertises it' },
  { name: 'local-server-cert', type: 'string', path: true, description: 'certificate (PEM) for an https loopback callback server' },
  { name: 'local-server-key', type: 'string', path: true, description: 'key (PEM) for an https loopback callback server' },
  { name: 'request-timeout', type: 'string', description: 'timeout of each request to the IdP', defaultText: '30s' },
  {
    name: 'open-url-after-authentication',
    type: 'string',
    ignored: true,
    description: 'accepted for kubelogin compatibility; ignored',
  },
  ...commonGetTokenFlags,
];
