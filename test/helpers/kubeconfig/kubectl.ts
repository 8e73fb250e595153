// Runs the real kubectl against a test kubeconfig, isolated: PATH holds only kubectl's own directory
// and HOME is a fresh temp dir. Some kubectl builds (gcloud's "dispatcher", /usr/bin/kubectl here)
// run the current context's exec plugin even for `kubectl config view`, to pick a versioned kubectl;
// with this PATH the plugin (kubecred, kubelogin) is not found and fails at once instead of logging in.
import { execFileSync } from 'node:child_process';
import { findKubectl } from '../../fixtures/kubectl.js';
import { dirname } from 'node:path';
import { testTempDir } from '../cli.js';

function kubectlBinary(): string {
  // The fixture skips gcloud's dispatcher, which runs exec plugins (and recursed on `kubectl …`
  // exec commands) even for `kubectl config view`.
  const found = findKubectl();
  if (!found) throw new Error('kubectl not found on PATH (set KUBECTL)');
  return found.path;
}

const binary = kubectlBinary();

/** kubectl < 1.22 (Debian's kubernetes-client 1.20) knows only exec v1beta1 and drops interactiveMode. */
export const kubectlKnowsExecV1 = (findKubectl()?.minor ?? 0) >= 22;
const home = testTempDir('kubecred-kubectl-home-');

/** `kubectl …` with `--kubeconfig` in args, or `KUBECONFIG` given here. Throws with stderr on failure. */
export function kubectl(args: string[], options: { KUBECONFIG?: string } = {}): string {
  try {
    return execFileSync(binary, args, {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
      env: { PATH: dirname(binary), HOME: home, KUBECONFIG: options.KUBECONFIG ?? '' },
    });
  } catch (err) {
    const e = err as Error & { stderr?: string };
    throw new Error(`kubectl ${args.join(' ')}: ${e.stderr || e.message}`);
  }
}
