// doctor's checks that need no network: the kubeconfig and its entries, the exec command, the exec
// apiVersion against the kubectl on PATH, cache and secret-store permissions, the keyring, Bun.
import { accessSync, chmodSync, constants, existsSync, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { DoctorFinding } from '../providers/adoption.js';
import { findContext, loadKubeconfigFile, resolveKubeconfig, displayPath, type Env, type FoundContext } from '../kubeconfig/index.js';
import { oneLine } from '../shared/errors.js';
import { findOnPath } from './exec-command.js';
import { kubectlMinorVersion } from './kubectl-version.js';
import { secretsDir } from '../store/paths.js';
import { keyringAvailable, keyringUnreachableReason } from '../store/keyring.js';

export interface KubeconfigFindings {
  findings: DoctorFinding[];
  found?: FoundContext;
}

export function kubeconfigChecks(kubeconfig: string | undefined, context: string | undefined, env: Env): KubeconfigFindings {
  const findings: DoctorFinding[] = [];
  const { files } = resolveKubeconfig({ explicit: kubeconfig, env });
  for (const f of files) {
    try {
      const doc = loadKubeconfigFile(f);
      if (doc.existed) findings.push({ status: 'pass', check: 'kubeconfig', detail: `${displayPath(f)} parses` });
    } catch (err) {
      findings.push({
        status: 'fail',
        check: 'kubeconfig',
        detail: oneLine(err),
        fix: `fix the line named (or restore a backup: ls ${displayPath(f)}.kubecred-backup-*)`,
      });
      return { findings };
    }
  }
  let found: FoundContext;
  try {
    found = findContext(files, context);
  } catch (err) {
    findings.push({
      status: 'fail',
      check: 'context',
      detail: oneLine(err),
      fix: 'kubectl config get-contexts, then kubecred doctor --context NAME',
    });
    return { findings };
  }
  const name = found.context.name;
  findings.push({ status: 'pass', check: 'context', detail: `${name} (namespace ${found.context.namespace ?? 'default'})` });
  findings.push(
    found.cluster
      ? {
          status: 'pass',
          check: 'cluster',
          detail: `${found.cluster.name}: ${String(found.cluster.server)}${found.cluster['proxy-url'] ? ` via proxy ${String(found.cluster['proxy-url'])}` : ''}`,
        }
      : {
          status: 'fail',
          check: 'cluster',
          detail: `context ${name} names cluster ${found.context.cluster}, which no kubeconfig file defines`,
          fix: `kubecred setup-context <kind> --context ${name} --server URL …`,
        },
  );
  findings.push(
    found.user
      ? { status: 'pass', check: 'user', detail: found.user.name }
      : {
          status: 'fail',
          check: 'user',
          detail: `context ${name} names user ${found.context.user}, which no kubeconfig file defines`,
          fix: `kubecred setup-context <kind> --context ${name} …`,
        },
  );
  return { findings, found };
}

const OURS = /^(kubecred|kubectl-cred)(\.cjs|\.exe)?$/;

function executable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function execChecks(found: FoundContext, env: Env): DoctorFinding[] {
  const exec = found.user?.exec;
  const name = found.context.name;
  if (!exec) {
    const ap = found.user?.['auth-provider'] as { name?: string } | undefined;
    return [
      {
        status: 'fail',
        check: 'exec',
        detail: ap
          ? `user ${found.user!.name} uses auth-provider ${ap.name}, which kubectl dropped in 1.26`
          : `user ${found.user?.name} runs no exec plugin`,
        fix: `kubecred convert-kubeconfig --context ${name}`,
      },
    ];
  }
  const command = exec.command;
  const base = command.split(/[\\/]/).pop() ?? command;
  const ours = OURS.test(base) || (base === 'kubectl' && exec.args?.[0] === 'cred');
  const findings: DoctorFinding[] = [];
  const resolved = command.includes('/') ? (isAbsolute(command) ? command : undefined) : findOnPath(command, env);
  if (!resolved || !executable(resolved)) {
    findings.push({
      status: 'fail',
      check: 'exec command',
      detail: `${command} ${command.includes('/') ? 'does not exist or is not executable' : 'is not on PATH'}`,
      fix: ours
        ? 'npm install -g kubecred (or put its bin directory on PATH)'
        : `install ${base}, or kubecred convert-kubeconfig --context ${name}`,
    });
  } else {
    let real = resolved;
    try {
      real = realpathSync(resolved);
    } catch {
      // keep as found
    }
    findings.push({ status: 'pass', check: 'exec command', detail: `${command} → ${real}` });
  }
  if (!ours)
    findings.push({
      status: 'fail',
      check: 'exec command',
      detail: `user ${found.user!.name} runs ${base}, not kubecred`,
      fix: `kubecred convert-kubeconfig --context ${name}`,
    });
  const minor = kubectlMinorVersion(env);
  const v1 = String(exec.apiVersion).endsWith('/v1');
  if (minor === undefined)
    findings.push({ status: 'info', check: 'exec apiVersion', detail: `${exec.apiVersion} (no kubectl found to compare with)` });
  else if (minor < 22 && v1)
    findings.push({
      status: 'fail',
      check: 'exec apiVersion',
      detail: `kubectl 1.${minor} knows only client.authentication.k8s.io/v1beta1, the kubeconfig says v1`,
      fix: `set users[].user.exec.apiVersion of ${found.user!.name} to client.authentication.k8s.io/v1beta1 (or re-run setup-context with --exec-api-version v1beta1)`,
    });
  else findings.push({ status: 'pass', check: 'exec apiVersion', detail: `${exec.apiVersion} suits kubectl 1.${minor}` });
  if (ours && findOnPath('bun', env) && !(exec.args ?? []).some((a) => a.startsWith('--runtime'))) {
    findings.push({
      status: 'info',
      check: 'runtime',
      detail: 'Bun is on PATH: kubecred setup-context … --runtime bun makes every kubectl run start faster',
    });
  }
  return findings;
}

function tooOpen(path: string): number | undefined {
  const st = lstatSync(path);
  return (st.mode & 0o077) !== 0 ? st.mode & 0o777 : undefined;
}

/** Cache and secret-store files must be 0600 and their dirs 0700, owned by the user; `fix` repairs modes. */
export function permissionChecks(cacheDir: string, fix: boolean): DoctorFinding[] {
  if (!existsSync(cacheDir)) return [{ status: 'info', check: 'cache permissions', detail: `${displayPath(cacheDir)} does not exist yet` }];
  const open: Array<{ path: string; mode: number; dir: boolean }> = [];
  const foreign: string[] = [];
  const uid = process.getuid?.();
  const visit = (dir: string) => {
    const st = lstatSync(dir);
    if (uid !== undefined && st.uid !== uid) foreign.push(dir);
    const m = tooOpen(dir);
    if (m !== undefined) open.push({ path: dir, mode: m, dir: true });
    for (const n of readdirSync(dir)) {
      const p = join(dir, n);
      const s = lstatSync(p);
      if (s.isDirectory()) {
        if (p === secretsDir(cacheDir)) visit(p);
        continue;
      }
      if (!s.isFile()) continue;
      if (uid !== undefined && s.uid !== uid) foreign.push(p);
      const fm = tooOpen(p);
      if (fm !== undefined) open.push({ path: p, mode: fm, dir: false });
    }
  };
  visit(cacheDir);
  const findings: DoctorFinding[] = [];
  if (foreign.length)
    findings.push({
      status: 'fail',
      check: 'cache ownership',
      detail: `${foreign.map((p) => displayPath(p)).join(', ')} belong to another user: kubecred will not trust them`,
      fix: `rm -r ${displayPath(cacheDir)} (kubecred recreates it; you may have to log in again)`,
    });
  if (open.length === 0) {
    findings.push({ status: 'pass', check: 'cache permissions', detail: `${displayPath(cacheDir)}: files 0600, directories 0700` });
  } else if (fix) {
    for (const o of open) chmodSync(o.path, o.dir ? 0o700 : 0o600);
    findings.push({
      status: 'pass',
      check: 'cache permissions',
      detail: `repaired ${open.length}: ${open.map((o) => `${displayPath(o.path)} ${o.mode.toString(8)} → ${o.dir ? '700' : '600'}`).join(', ')}`,
    });
  } else {
    findings.push({
      status: 'fail',
      check: 'cache permissions',
      detail: `others may read ${open.map((o) => `${displayPath(o.path)} (${o.mode.toString(8).padStart(4, '0')})`).join(', ')}`,
      fix: 'kubecred doctor --fix',
    });
  }
  return findings;
}

export async function keyringCheck(): Promise<DoctorFinding> {
  if (await keyringAvailable())
    return { status: 'pass', check: 'keyring', detail: 'a Secret Service keyring answers: secrets are kept there' };
  return {
    status: 'info',
    check: 'keyring',
    detail: `not reachable (${keyringUnreachableReason() ?? 'no Secret Service answered'}): secrets are kept in 0600 files in the cache's secrets directory`,
  };
}
