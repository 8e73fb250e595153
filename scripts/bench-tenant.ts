// The tenant miss: `get-token tenant …` with no cached certificate reads the admin kubeconfig
// Secret from the management cluster (the test rig: two API server fixtures, alice's client
// certificate for the management context, which is read with a direct node:https request). Paired
// against `node -e 0` like the other rows, no target (issue 12 sets none); then a few --verbose runs
// time the Secret read itself (and show the direct path was taken), and a fresh Node times
// @kubernetes/client-node's import alone: what an exec management context still pays on a miss.
import { execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { startTenantRig, CLUSTER, TENANT, type TenantRig } from '../test/helpers/tenant/rig.js';
import { adminSecretName, tenantNamespace } from '../test/fixtures/cozystack.js';
import { listKeys, removeEntry } from '../src/store/token-cache.js';
import {
  announce,
  bin,
  comparePaired,
  EXEC_INFO,
  measure,
  nodeFloor,
  pairedRow,
  repo,
  SHORT,
  stats,
  type Row,
  type Stats,
} from './bench-lib.js';

const ARGS = ['get-token', 'tenant', '--management-context=mgmt', `--tenant=${TENANT}`, `--cluster=${CLUSTER}`];
const SECRET_PATH = `/api/v1/namespaces/${tenantNamespace(TENANT)}/secrets/${adminSecretName(CLUSTER)}`;

/** Empties the token cache, leaving the rest of the cache dir (its locks, Node's compile cache) as a user's would be. */
function emptyCache(rig: TenantRig): void {
  for (const key of listKeys(rig.cacheDir)) removeEntry(rig.cacheDir, key);
}

interface Timeline {
  /** Spawn → the "reading Secret" line: Node, the CLI and the kubeconfig loaded. */
  before: number;
  /** "reading Secret" → "read Secret": the GET over mutual TLS, the Secret and its kubeconfig parsed. */
  read: number;
  /** Spawn → exit. */
  total: number;
}

/**
 * One --verbose miss, stderr lines timestamped as they arrive in this process (a pipe's latency,
 * well under a millisecond; the bench's servers share this event loop, but only this child talks to them).
 */
function verboseMiss(env: NodeJS.ProcessEnv): Promise<Timeline> {
  return new Promise((done, fail) => {
    const start = performance.now();
    const child = spawn(process.execPath, [bin, ...ARGS, '--verbose'], { env, cwd: repo, stdio: ['ignore', 'ignore', 'pipe'] });
    const at: Record<string, number> = {};
    let stderr = '';
    let pending = '';
    child.stderr.on('data', (d: Buffer) => {
      const now = performance.now();
      stderr += d;
      pending += d;
      const lines = pending.split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line === 'kubecred: management context mgmt: client certificate, read with a direct request') at.direct ??= now;
        else if (line.startsWith('kubecred: reading Secret ')) at.reading ??= now;
        else if (line.startsWith('kubecred: read Secret ')) at.read ??= now;
      }
    });
    child.on('close', (code) => {
      const total = performance.now() - start;
      if (code !== 0 || at.direct === undefined || at.reading === undefined || at.read === undefined)
        fail(
          new Error(`bench: verbose tenant miss (exit ${code}) lacks its "direct request"/"reading Secret"/"read Secret" lines: ${stderr}`),
        );
      else done({ before: at.reading - start, read: at.read - at.reading, total });
    });
  });
}

/** `await import('@kubernetes/client-node')` timed inside a fresh Node, resolved from the repo as dist/ resolves it. */
function clientNodeImportMs(env: NodeJS.ProcessEnv): number {
  const script =
    "const t = performance.now(); await import('@kubernetes/client-node'); process.stdout.write(String(performance.now() - t));";
  return Number(execFileSync(process.execPath, ['--input-type=module', '-e', script], { env, cwd: repo, encoding: 'utf8' }));
}

const ms = (s: Stats) => `${s.median.toFixed(1)} ms (${s.p25.toFixed(1)}–${s.p75.toFixed(1)})`;

export async function tenantRows(): Promise<Row[]> {
  const rig = await startTenantRig();
  try {
    const env: NodeJS.ProcessEnv = { ...rig.env, KUBERNETES_EXEC_INFO: EXEC_INFO };
    let runs = 0;
    rig.management.resetRequests();
    const p = await comparePaired(
      'get-token tenant, miss (reads the admin kubeconfig Secret)',
      async () => {
        emptyCache(rig);
        runs++;
        return measure([process.execPath, bin, ...ARGS], env);
      },
      nodeFloor(env),
    );
    const reads = rig.management.requests.filter((r) => r.method === 'GET' && r.path === SECRET_PATH && r.status === 200).length;
    const other = rig.management.requests.length - reads;
    // A miss that did not read the Secret exactly once measured something else.
    if (reads !== runs || other !== 0)
      throw new Error(`bench: ${runs} tenant misses made ${reads} Secret reads and ${other} other requests, not one read each`);

    const rounds = SHORT ? 4 : 10;
    const timelines: Timeline[] = [];
    for (let i = 0; i < rounds; i++) {
      emptyCache(rig);
      timelines.push(await verboseMiss(env));
    }
    const imports = Array.from({ length: rounds }, () => clientNodeImportMs(env));

    const of = (pick: (t: Timeline) => number) => ms(stats(timelines.map(pick)));
    const row = pairedRow(p, {
      note: `${rounds} --verbose misses took ${of((t) => t.total)}: ${of((t) => t.before)} until the read (Node, the CLI, the kubeconfig; a client certificate context is read with a direct request, without client-node), then the read; import('@kubernetes/client-node') alone in a fresh Node, which an exec management context still pays: ${ms(stats(imports))}`,
    });
    row.measured += `; the Secret read itself ${of((t) => t.read)}`;
    row.ratio += '; 1 request per miss (GET the Secret)';
    row.target = '— (informational)';
    announce(row);
    return [row];
  } finally {
    await rig.close();
    rmSync(rig.home, { recursive: true, force: true });
  }
}
