// kubernetes-<C>-oidc-kubeconfig's user runs kubelogin (`kubectl oidc-login get-token …` or
// `kubelogin get-token …`). kubecred's OIDC flag table carries kubelogin's spellings as aliases, so
// the same parser reads that line; we write it back in kubecred's own spelling. kubelogin's cache
// options name kubelogin's files and are dropped; a client secret never goes into a kubeconfig.
import { parseFlags, type FlagValues } from '../../exec/flags.js';
import { KubecredError, UsageError } from '../../shared/errors.js';
import { oidcGetTokenFlags } from '../oidc/flags.js';

const DROPPED = new Set(['token-cache-dir', 'token-cache-storage', 'password', 'client-secret', 'force-refresh', 'verbose']);

export interface KubeloginRewrite {
  /** `get-token oidc …` in kubecred's spelling (no secrets). */
  args: string[];
  values: FlagValues;
  /** Flags left out, for a line on stderr. */
  dropped: string[];
}

/** The args after `get-token` of a kubelogin exec entry, or an error saying what the entry is instead. */
export function kubeloginArgs(exec: { command: string; args?: readonly string[] | null }, where: string): readonly string[] {
  const args = exec.args ?? [];
  const base = exec.command.split(/[\\/]/).pop() ?? exec.command;
  if (/^kubectl(\.exe)?$/.test(base) && args[0] === 'oidc-login' && args[1] === 'get-token') return args.slice(2);
  if (/^(kubelogin|kubectl-oidc_login)(\.exe)?$/.test(base) && args[0] === 'get-token') return args.slice(1);
  throw new KubecredError(
    `${where}: the user runs ${base} ${args.slice(0, 2).join(' ')}, not kubelogin's get-token: fetch it without --variant oidc rewriting, or set it up with kubecred setup-context oidc`,
  );
}

export function rewriteKubelogin(argv: readonly string[], where: string): KubeloginRewrite {
  let values: FlagValues;
  try {
    values = parseFlags(oidcGetTokenFlags, argv).values;
  } catch (err) {
    if (err instanceof UsageError)
      throw new KubecredError(
        `${where}: kubelogin ${err.message.split(':')[0]} has no kubecred equivalent: set the context up with kubecred setup-context oidc`,
      );
    throw err;
  }
  if (!values['issuer-url'] || !values['client-id'])
    throw new KubecredError(`${where}: the kubelogin line has no --oidc-issuer-url or --oidc-client-id`);
  const args: string[] = [];
  const dropped: string[] = [];
  for (const spec of oidcGetTokenFlags) {
    const v = values[spec.name];
    if (v === undefined || v === false) continue;
    if (DROPPED.has(spec.name)) {
      dropped.push(`--${spec.name}`);
      continue;
    }
    if (v === true) args.push(`--${spec.name}`);
    else if (Array.isArray(v)) for (const item of v) args.push(`--${spec.name}=${item}`);
    else args.push(`--${spec.name}=${v}`);
  }
  return { args, values, dropped };
}
