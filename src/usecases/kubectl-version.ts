// The kubectl that will run our exec plugin decides which ExecCredential apiVersion the kubeconfig
// may name: v1 needs kubectl >= 1.22, and Debian bookworm's kubernetes-client is 1.20, which knows
// only v1beta1. setup-context asks that kubectl once, unless --exec-api-version says it.
import { execFileSync } from 'node:child_process';
import type { ExecApiVersion } from './exec-command.js';
import { childEnvironment } from '../infra/child-env.js';

export interface ExecApiChoice {
  apiVersion: ExecApiVersion;
  /** One line for stderr when the choice is not the default v1. */
  reason?: string;
}

/** `$KUBECTL` when set (the one the user runs), else `kubectl` on PATH. */
export function kubectlMinorVersion(env: Record<string, string | undefined>): number | undefined {
  try {
    const out = execFileSync(env.KUBECTL || 'kubectl', ['version', '--client', '-o', 'json'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 10_000,
      // kubectl needs no secret of ours (KUBECRED_PASSWORD, OS_PASSWORD, …).
      env: childEnvironment(env),
    });
    const minor = Number.parseInt((JSON.parse(out) as { clientVersion?: { minor?: string } }).clientVersion?.minor ?? '', 10);
    return Number.isFinite(minor) ? minor : undefined;
  } catch {
    return undefined;
  }
}

export function chooseExecApiVersion(minor: number | undefined): ExecApiChoice {
  if (minor !== undefined && minor < 22) {
    return {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      reason: `kubectl 1.${minor} knows only exec apiVersion v1beta1: writing that (pass --exec-api-version v1 for newer kubectl elsewhere)`,
    };
  }
  return { apiVersion: 'client.authentication.k8s.io/v1' };
}
