// klog's flags, which kubelogin and client-keystone-auth accept (their users' kubeconfigs carry
// `-v1`, `--v=4`, `--logtostderr`). kubecred maps verbosity to -v and ignores the rest. Pure data.

/** klog flag (dashes; `_` spellings are normalised) → whether it takes a value. */
export const KLOG_FLAGS: Readonly<Record<string, boolean>> = {
  v: true,
  vmodule: true,
  logtostderr: false,
  alsologtostderr: false,
  'log-dir': true,
  'log-file': true,
  'log-file-max-size': true,
  'log-backtrace-at': true,
  stderrthreshold: true,
  'skip-headers': false,
  'skip-log-headers': false,
  'one-output': false,
  'add-dir-header': false,
  'log-flush-frequency': true,
};

/** `-v1`, `-v=2`, `--v=4` (and `-v 1`, given the next word): the klog level, or undefined. */
export function klogLevel(name: string, inline: string | undefined): number | undefined {
  const glued = /^v(\d+)$/.exec(name);
  if (glued) return Number(glued[1]);
  if (name === 'v' && inline !== undefined && /^\d+$/.test(inline)) return Number(inline);
  return undefined;
}
