// get-token flags every provider shares. Pure data.
import type { FlagSpec } from './flags.js';

export const commonGetTokenFlags: readonly FlagSpec[] = [
  {
    name: 'min-validity',
    type: 'string',
    description: 'treat a credential as expired when less than this remains; kubectl is told to come back that much earlier',
    defaultText: '60s',
  },
  {
    name: 'token-cache-dir',
    type: 'string',
    path: true,
    description: 'directory of the token cache',
    defaultText: '$KUBECACHEDIR/kubecred or ~/.kube/cache/kubecred',
  },
  {
    name: 'token-cache-storage',
    type: 'string',
    description: 'where tokens are cached: disk, keyring, none, or auto (keyring when reachable, else disk)',
    defaultText: 'disk',
  },
  {
    name: 'force-refresh',
    type: 'boolean',
    description: 'ignore the cached token and obtain a new one',
    setup: 'never',
    setupRefusal: '--force-refresh would make every kubectl command log in anew: run kubecred login --context NAME once instead',
  },
  { name: 'verbose', short: 'v', type: 'boolean', setup: 'local', description: 'explain what happens on stderr (never prints a secret)' },
];

export const DEFAULT_MIN_VALIDITY_MS = 60_000;
