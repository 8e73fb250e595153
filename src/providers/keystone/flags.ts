// `get-token keystone` flags with client-keystone-auth's spellings and the OS_* environment.
// Pure data, read without loading the provider. Secrets (OS_PASSWORD, OS_APPLICATION_CREDENTIAL_SECRET) are read from
// the environment or the secret store by the provider, never taken as flags.
import type { FlagSpec } from '../../exec/flags.js';
import { commonGetTokenFlags } from '../../exec/common-flags.js';

export const keystoneGetTokenFlags: readonly FlagSpec[] = [
  {
    name: 'auth-url',
    type: 'string',
    aliases: ['keystone-url'],
    env: ['OS_AUTH_URL'],
    description: 'Keystone v3 URL, e.g. https://keystone.example:5000/v3',
  },
  { name: 'username', type: 'string', aliases: ['user-name'], env: ['OS_USERNAME'], description: 'user name' },
  { name: 'user-id', type: 'string', env: ['OS_USER_ID'], description: 'user ID (instead of name + domain)' },
  {
    name: 'user-domain-name',
    type: 'string',
    aliases: ['user-domain'],
    env: ['OS_USER_DOMAIN_NAME'],
    description: "user's domain name",
    defaultText: 'Default',
  },
  { name: 'user-domain-id', type: 'string', env: ['OS_USER_DOMAIN_ID'], description: "user's domain ID" },
  {
    name: 'project-name',
    type: 'string',
    aliases: ['project'],
    env: ['OS_PROJECT_NAME', 'OS_TENANT_NAME'],
    description: 'project to scope the token to',
  },
  { name: 'project-id', type: 'string', env: ['OS_PROJECT_ID', 'OS_TENANT_ID'], description: 'project ID to scope the token to' },
  {
    name: 'project-domain-name',
    type: 'string',
    aliases: ['project-domain'],
    env: ['OS_PROJECT_DOMAIN_NAME'],
    description: "project's domain name",
    defaultText: 'the user domain',
  },
  { name: 'project-domain-id', type: 'string', env: ['OS_PROJECT_DOMAIN_ID'], description: "project's domain ID" },
  { name: 'domain-name', type: 'string', env: ['OS_DOMAIN_NAME'], description: 'domain of both user and project (client-keystone-auth)' },
  { name: 'domain-id', type: 'string', env: ['OS_DOMAIN_ID'], description: 'domain ID of both user and project' },
  {
    name: 'application-credential-id',
    type: 'string',
    env: ['OS_APPLICATION_CREDENTIAL_ID'],
    description: 'application credential ID (secret from the secret store or OS_APPLICATION_CREDENTIAL_SECRET)',
  },
  {
    name: 'application-credential-name',
    type: 'string',
    env: ['OS_APPLICATION_CREDENTIAL_NAME'],
    description: 'application credential name (with the user)',
  },
  {
    name: 'application-credential-secret',
    type: 'string',
    description: 'refused: use OS_APPLICATION_CREDENTIAL_SECRET or the secret store',
    setup: 'never',
    setupRefusal: '--application-credential-secret would leave the secret in your shell history: pass --password-stdin and pipe the secret',
  },
  {
    name: 'password',
    type: 'string',
    description: 'refused: use the prompt, OS_PASSWORD, `kubecred login` or convert-kubeconfig',
    setup: 'never',
    setupRefusal: '--password would leave it in your shell history and the process list: pass --password-stdin, or type it when asked',
  },
  { name: 'os-cloud', type: 'string', env: ['OS_CLOUD'], description: 'entry of clouds.yaml to read the settings from' },
  { name: 'cacert', type: 'string', path: true, env: ['OS_CACERT'], description: 'PEM file of the CA that signed Keystone' },
  { name: 'cert', type: 'string', path: true, env: ['OS_CERT'], description: 'PEM client certificate for TLS to Keystone (with --key)' },
  { name: 'key', type: 'string', path: true, env: ['OS_KEY'], description: 'PEM key of the --cert client certificate' },
  {
    name: 'default-domain',
    type: 'string',
    env: ['OS_DEFAULT_DOMAIN'],
    description: 'domain of user and project when no other is given (gophercloud)',
  },
  { name: 'insecure', type: 'boolean', description: 'do not verify the Keystone certificate (unsafe)' },
  ...commonGetTokenFlags,
];
