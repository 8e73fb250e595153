// `kubecred setup-context keystone`: one command instead of kubectl-openstack's
// `-user U -password P -project X`. The password comes from --password-stdin or the terminal,
// never from a flag (argv is readable by every process on the machine), and never reaches the
// kubeconfig.
import { realpathSync } from 'node:fs';
import type { Command } from 'commander';
import { nodeInfrastructure } from '../infra/node-infra.js';
import { addCommonSetupOptions, checkNamespace, clusterEntryFromOptions, runSetupContext, type CommonSetupOptions } from './cluster-options.js';
import { findContext, resolveKubeconfig } from '../kubeconfig/index.js';
import { prepareKeystoneSetup } from '../providers/keystone/setup.js';
import { readSecretFromStdin } from '../infra/stdin.js';

interface KeystoneSetupOptions extends CommonSetupOptions {
  authUrl?: string;
  username?: string;
  userDomain: string;
  project?: string;
  projectId?: string;
  projectDomain?: string;
  osCloud?: string;
  cacert?: string;
  insecure?: boolean;
  passwordStdin?: boolean;
  createApplicationCredential?: boolean;
  rememberPassword?: boolean;
  verbose?: boolean;
}

/** The namespace already set on the context (kept unless --namespace is given). */
function existingNamespace(opts: KeystoneSetupOptions): string | undefined {
  try {
    return findContext(resolveKubeconfig({ explicit: opts.kubeconfig, env: process.env }).files, opts.context).context.namespace;
  } catch {
    return undefined;
  }
}

export function registerKeystoneSetup(setup: Command): void {
  const cmd = setup
    .command('keystone')
    .description('set up a context that logs in to OpenStack Keystone (password, TOTP or application credential)')
    .option('--auth-url <url>', 'Keystone v3 URL, e.g. https://keystone.example:5000/v3')
    .option('--username <name>', 'OpenStack user name')
    .option('--user-domain <name>', "the user's domain", 'Default')
    .option('--project <name>', 'project to scope tokens to (e.g. CMS)')
    .option('--project-id <id>', 'project ID instead of --project')
    .option('--project-domain <name>', "the project's domain (default: the user's domain)")
    .option('--os-cloud <name>', 'take the settings from this entry of clouds.yaml (and secure.yaml)')
    .option('--cacert <file>', 'PEM file of the CA that signed Keystone')
    .option('--insecure', 'do not verify the Keystone certificate (unsafe)')
    .option('--password-stdin', 'read the password from stdin instead of asking on the terminal')
    .option('--create-application-credential', 'recommended: create application credential kubecred-<context> and keep only its secret')
    .option('--remember-password', 'keep the password in the secret store (keyring, else a 0600 file)')
    .option('-v, --verbose', 'explain what happens on stderr');
  addCommonSetupOptions(cmd).action(async (opts: KeystoneSetupOptions, command: Command) => {
    // The user domain defaults to Default only when no cloud entry could say otherwise.
    const userDomainGiven = command.getOptionValueSource('userDomain') === 'cli';
    // Cheap checks first: a typo in --server must not cost an application credential.
    clusterEntryFromOptions(opts);
    checkNamespace(opts.namespace);
    const stdinPassword = opts.passwordStdin ? await readSecretFromStdin() : undefined;
    const infra = nodeInfrastructure({ verbose: opts.verbose === true, interactive: process.stdin.isTTY === true && !opts.passwordStdin });
    const keystone = await prepareKeystoneSetup(
      {
        contextName: opts.context,
        authUrl: opts.authUrl,
        username: opts.username,
        userDomain: userDomainGiven || !opts.osCloud ? opts.userDomain : undefined,
        project: opts.project,
        projectId: opts.projectId,
        projectDomain: opts.projectDomain,
        osCloud: opts.osCloud,
        cacert: opts.cacert,
        insecure: opts.insecure,
        stdinPassword,
        createApplicationCredential: opts.createApplicationCredential === true,
        rememberPassword: opts.rememberPassword === true,
        force: opts.force === true,
      },
      infra,
    );
    const namespace = opts.namespace ?? (existingNamespace(opts) ? undefined : keystone.namespace);
    await keystone.storeSecrets();
    try {
      await runSetupContext({ ...opts, namespace }, { provider: 'keystone', args: keystone.args, env: keystone.env }, {
        env: process.env,
        launcherPath: realpathSync(process.argv[1]!),
        stdout: (line) => void process.stdout.write(line + '\n'),
        stderr: (line) => void process.stderr.write(line + '\n'),
      });
    } catch (err) {
      await keystone.rollback();
      throw err;
    }
    for (const line of await keystone.finish()) process.stdout.write(line + '\n');
  });
}
