// `kubecred setup-context oidc`: cluster + user (exec: kubecred get-token oidc …) + context in one
// command, replacing `kubectl config set-credentials … --exec-arg=oidc-login …` recipes. A client
// secret is read from stdin into the secret store, never written into the kubeconfig; --login
// logs in at once and shows who you are and which groups RBAC will see.
import { realpathSync } from 'node:fs';
import { Option, type Command } from 'commander';
import { nodeInfrastructure } from '../infra/node-infra.js';
import { addCommonSetupOptions, checkNamespace, clusterEntryFromOptions, runSetupContext, type CommonSetupOptions } from './cluster-options.js';
import { UsageError } from '../exec/flags.js';
import { claimsSummary, oidcExecArgs, storeClientSecret, type OidcSetupInput } from '../providers/oidc/setup.js';
import { GRANT_TYPES } from '../providers/oidc/settings.js';
import { login } from '../usecases/login-logout.js';
import { resolveContext } from '../usecases/resolve-context.js';
import { openTokenStore } from '../store/token-store.js';
import { readSecretFromStdin } from '../infra/stdin.js';

interface OidcSetupOptions extends CommonSetupOptions, OidcSetupInput {
  clientSecretStdin?: boolean;
  clientSecret?: string;
  login?: boolean;
  verbose?: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, ...value.split(',').filter((v) => v !== '')];
const repeat = (value: string, previous: string[] = []) => [...previous, value];

async function readClientSecret(): Promise<string> {
  if (process.stdin.isTTY) {
    const secret = await nodeInfrastructure({ verbose: false, interactive: true }).prompt.secret('Client secret: ');
    return secret.trim();
  }
  return readSecretFromStdin();
}

/** After --login: the token kubectl will send, summarised (user, groups, roles). */
async function whoAmI(kubeconfig: string | undefined, context: string): Promise<string[]> {
  const ctx = resolveContext(kubeconfig, context, process.env);
  const tokens = await openTokenStore({ dir: ctx.common.cacheDir, storage: ctx.common.storage, notice: () => {} });
  const read = await tokens.read(ctx.key);
  const credential = read.status === 'hit' ? read.entry.credential : undefined;
  return credential && 'token' in credential ? claimsSummary(credential.token).map((l) => `  ${l}`) : [];
}

export function registerOidcSetup(setup: Command): void {
  const cmd = setup
    .command('oidc')
    .description('set up a context that logs in with OpenID Connect (Keycloak, Dex, Okta, Entra ID, Google, …)')
    .option('--issuer-url <url>', 'OIDC issuer URL, exactly as kube-apiserver --oidc-issuer-url has it')
    .option('--client-id <id>', 'OAuth client ID registered for kubectl')
    .option('--client-secret-stdin', 'the client is confidential: read its secret from stdin (asked with echo off on a terminal) into the secret store')
    .addOption(new Option('--client-secret <secret>').hideHelp())
    .option('--extra-scope <scopes>', 'scope besides openid, e.g. groups,email (repeatable or comma-separated)', collect)
    .addOption(new Option('--grant-type <type>', 'how to log in (default auto: see docs/providers/oidc.md)').choices([...GRANT_TYPES]))
    .option('--username <name>', 'user name for the password grant (the password is asked for, or read from KUBECRED_PASSWORD)')
    .option('--login-hint <account>', 'account to log in as; keeps two accounts of one IdP apart')
    .option('--use-access-token', 'hand kubectl the access token instead of the ID token')
    .option('--listen-address <host:port>', 'loopback address for the login callback (repeatable; default 127.0.0.1:8000, then :18000)', repeat)
    .option('--redirect-url <url>', 'redirect URI to send instead of http://localhost:<port>')
    .option('--skip-open-browser', 'print the login URL instead of opening a browser')
    .option('--browser-command <cmd>', 'command that opens the login URL (gets it as last argument)')
    .option('--oidc-ca-file <file>', 'PEM CA to trust for the IdP (repeatable)', repeat)
    .option('--oidc-insecure-skip-tls-verify', 'do not verify the IdP certificate (unsafe)')
    .option('--auth-request-extra-param <k=v>', 'extra parameter for the authorization request (repeatable)', repeat)
    .option('--no-offline-access', 'do not request offline_access even when the IdP advertises it')
    .option('--authentication-timeout <duration>', 'how long to wait for a login (default 180s)')
    .addOption(new Option('--token-cache-storage <where>', 'where tokens are cached').choices(['disk', 'keyring', 'none']))
    .option('--get-token-arg <arg>', 'any other get-token oidc flag, verbatim, e.g. --get-token-arg=--pkce-method=no (repeatable)', repeat)
    .option('--login', 'log in right away and show who you are')
    .option('-v, --verbose', 'explain what happens on stderr');
  addCommonSetupOptions(cmd).action(async (opts: OidcSetupOptions) => {
    if (opts.clientSecret !== undefined) {
      throw new UsageError('--client-secret would leave the secret in your shell history: pass --client-secret-stdin and type or pipe it');
    }
    // Cheap checks first: nothing is stored or written when an option is wrong.
    clusterEntryFromOptions(opts);
    checkNamespace(opts.namespace);
    const exec = oidcExecArgs(opts, process.env);
    const stderr = (line: string) => void process.stderr.write(line + '\n');
    if (opts.clientSecretStdin) {
      const secret = await readClientSecret();
      if (!secret) throw new UsageError('--client-secret-stdin read an empty client secret');
      stderr(`kubecred: the client secret is kept in ${await storeClientSecret(exec, secret, stderr)}, not in the kubeconfig`);
    }
    const issuerHost = new URL(exec.settings.issuerUrl).host;
    await runSetupContext(
      opts,
      {
        provider: 'oidc',
        args: exec.args,
        installHint: `kubecred logs you in to ${issuerHost} for this cluster: install it (npm install -g kubecred) and put it on PATH`,
      },
      {
        env: process.env,
        launcherPath: realpathSync(process.argv[1]!),
        stdout: (line) => void process.stdout.write(line + '\n'),
        stderr,
      },
    );
    if (!opts.login) {
      process.stdout.write(`log in now with: kubecred login --context ${opts.context}  (or let the first kubectl command do it)\n`);
      return;
    }
    const interactive = process.stdin.isTTY === true && !opts.clientSecretStdin;
    const infra = nodeInfrastructure({ verbose: opts.verbose === true, interactive });
    process.stdout.write((await login(infra, { contextName: opts.context, kubeconfig: opts.kubeconfig, interactive })) + '\n');
    for (const line of await whoAmI(opts.kubeconfig, opts.context)) process.stdout.write(line + '\n');
  });
}
