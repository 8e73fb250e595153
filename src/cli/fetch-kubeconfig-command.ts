// `kubecred fetch-kubeconfig`: commander wiring for the use case in usecases/fetch-kubeconfig.ts.
// The use case, the tenant provider's code and the infrastructure load when the command runs, not
// for a help screen.
import { realpathSync } from 'node:fs';
import type { Command } from 'commander';
import { UsageError } from '../shared/errors.js';
import type { FetchOutput } from '../usecases/fetch-kubeconfig.js';
import type { ExecApiVersion } from '../usecases/exec-command.js';

interface FetchOptions {
  tenant?: string;
  cluster?: string;
  variant?: string;
  internal?: boolean;
  managementContext?: string;
  managementKubeconfig?: string;
  output?: string;
  merge?: boolean;
  as?: string;
  use?: boolean;
  force?: boolean;
  kubeconfig?: string;
  list?: boolean;
  execCommand?: string;
  execApiVersion?: string;
  verbose?: boolean;
}

function outputOf(opts: FetchOptions): FetchOutput {
  if (opts.output !== undefined && opts.merge)
    throw new UsageError('-o and --merge exclude each other: write a file or merge into the kubeconfig');
  if (!opts.merge && (opts.as !== undefined || opts.use || opts.kubeconfig !== undefined))
    throw new UsageError('--as, --use and --kubeconfig go with --merge');
  if (opts.merge) return { kind: 'merge', kubeconfig: opts.kubeconfig, as: opts.as, use: opts.use === true, force: opts.force === true };
  if (opts.output !== undefined) {
    if (opts.output === '' || opts.output === '-') throw new UsageError('-o needs a file name (the default already prints to stdout)');
    return { kind: 'file', path: opts.output, force: opts.force === true };
  }
  if (opts.force) throw new UsageError('--force goes with -o FILE or --merge');
  return { kind: 'stdout' };
}

export function registerFetchKubeconfig(program: Command): void {
  program
    .command('fetch-kubeconfig')
    .description("a Cozystack tenant cluster's kubeconfig from its Secret in the management cluster: print, write or merge it")
    .option('--tenant <name>', 'Cozystack tenant (namespace tenant-<name>)')
    .option('--cluster <name>', 'tenant Kubernetes cluster (Secret kubernetes-<name>-admin-kubeconfig)')
    .option('--variant <v>', 'admin, super-admin or oidc (the kubelogin kubeconfig, rewritten to run kubecred)', 'admin')
    .option('--internal', 'the .svc kubeconfig: in-cluster API address (admin and super-admin)')
    .option('--management-context <ctx>', 'context of the management cluster (default: current-context)')
    .option('--management-kubeconfig <file>', 'kubeconfig holding the management context (default: $KUBECONFIG or ~/.kube/config)')
    .option('-o, --output <file>', 'write to this file (0600) instead of stdout')
    .option('--merge', 'add cluster, user and context named <tenant>-<cluster> to the kubeconfig')
    .option('--as <name>', 'with --merge: the name for cluster, user and context')
    .option('--use', 'with --merge: make it the current context')
    .option('--force', 'replace an existing file (-o) or entries of the same name (--merge)')
    .option('--kubeconfig <file>', 'with --merge: the kubeconfig to merge into (default: $KUBECONFIG or ~/.kube/config)')
    .option('--list', 'list the tenant clusters the management identity can see (with --tenant: of one tenant)')
    .option('--exec-command <cmd>', 'with --variant oidc: command kubectl runs (default: kubecred if on PATH, else its absolute path)')
    .option('--exec-api-version <v>', 'with --variant oidc: v1 or v1beta1 (kubectl older than 1.22)')
    .option('-v, --verbose', 'explain what happens on stderr')
    .action(async (opts: FetchOptions) => {
      const [{ nodeInfrastructure }, { fetchKubeconfig, listClusters }, { parseVariant, requireName }] = await Promise.all([
        import('../infra/node-infra.js'),
        import('../usecases/fetch-kubeconfig.js'),
        import('../providers/tenant/settings.js'),
      ]);
      const interactive = process.stdin.isTTY === true;
      const infra = nodeInfrastructure({ verbose: opts.verbose === true, interactive });
      const management = { context: opts.managementContext || undefined, kubeconfig: opts.managementKubeconfig || undefined };
      if (opts.list) {
        if (opts.cluster !== undefined || opts.output !== undefined || opts.merge)
          throw new UsageError('--list takes only --tenant and the management options');
        const tenant = opts.tenant === undefined ? undefined : requireName({ tenant: opts.tenant }, 'tenant');
        for (const line of await listClusters(infra, { management, tenant, interactive })) process.stdout.write(`${line}\n`);
        return;
      }
      const values = { tenant: opts.tenant, cluster: opts.cluster, variant: opts.variant };
      const tenant = requireName(values, 'tenant');
      const cluster = requireName(values, 'cluster');
      const variant = parseVariant(values, true);
      if (variant === 'oidc' && opts.internal)
        throw new UsageError('--internal has no meaning for --variant oidc (its Secret has one kubeconfig)');
      const output = outputOf(opts);
      let exec: { command: string; apiVersion?: ExecApiVersion } = { command: 'kubecred' };
      if (variant === 'oidc') {
        const [{ parseExecApiVersion, resolveExecCommand }, { chooseExecApiVersion, kubectlMinorVersion }] = await Promise.all([
          import('../usecases/exec-command.js'),
          import('../usecases/kubectl-version.js'),
        ]);
        const command = resolveExecCommand({ explicit: opts.execCommand, env: process.env, launcherPath: realpathSync(process.argv[1]!) });
        const api = opts.execApiVersion
          ? { apiVersion: parseExecApiVersion(opts.execApiVersion) }
          : chooseExecApiVersion(kubectlMinorVersion(process.env));
        infra.log.debug(command.reason);
        exec = { command: command.command, apiVersion: api.apiVersion };
      }
      const result = await fetchKubeconfig(infra, {
        management,
        tenant,
        cluster,
        variant,
        internal: opts.internal === true,
        output,
        exec,
        interactive,
      });
      for (const note of result.notes) infra.log.info(note);
      if (result.text !== undefined) process.stdout.write(result.text);
      for (const line of result.lines) process.stdout.write(`${line}\n`);
    });
}
