// What a user feels: `kubectl get --raw /version` through kubecred (answered from the cache) vs the
// same kubectl with the same token written statically into its kubeconfig, against the suite's
// local API server. The cached credential IS the static token, so both runs authenticate alike
// and the difference is the exec plugin alone.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApiServer } from '../test/fixtures/apiserver.js';
import { findKubectl, writeKubeconfig } from '../test/fixtures/kubectl.js';
import { announce, bin, comparePaired, measure, type Paired, type Row } from './bench-lib.js';
import { HIT_SCENARIOS, hitHome, bunVersion } from './bench-hit.js';

export async function kubectlRows(bun: string | undefined): Promise<Row[]> {
  const kubectl = findKubectl();
  if (!kubectl) {
    console.log('kubectl rows skipped: no kubectl (set KUBECTL)');
    return [{ scenario: 'kubectl get --raw /version', measured: 'not measured: no kubectl', baseline: '', ratio: '', target: '' }];
  }
  const scenario = HIT_SCENARIOS[0]!;
  const token = 'bench-static-token-' + 'x'.repeat(40);
  const { home, env } = hitHome({ ...scenario, credential: { token } });
  const api = await startApiServer({ staticTokens: { [token]: { user: 'bench' } } });
  const tmp = mkdtempSync(join(tmpdir(), 'kubecred-bench-kubectl-'));
  try {
    const staticConfig = await writeKubeconfig(join(tmp, 'static'), { server: api.url, caPem: api.caPem, user: { token } });
    const run = (config: string) => () =>
      measure([kubectl.path, '--kubeconfig', config, '--cache-dir', join(tmp, 'kubectl-cache'), 'get', '--raw', '/version'], {
        ...env,
        KUBERNETES_EXEC_INFO: undefined,
      });
    const rows: Row[] = [];
    const runtimes: Array<[string, string, string[]]> = [['node', bin, scenario.args]];
    if (bun) runtimes.push(['bun', bun, [bin, ...scenario.args]]);
    for (const [runtime, command, args] of runtimes) {
      const viaConfig = await writeKubeconfig(join(tmp, `via-${runtime}`), {
        server: api.url,
        caPem: api.caPem,
        user: { exec: { command, args } },
      });
      const p = await comparePaired(`kubectl get --raw /version via kubecred (${runtime}), cache hit`, run(viaConfig), run(staticConfig));
      rows.push(
        kubectlRow(
          p,
          runtime === 'bun' ? 1.4 : undefined,
          runtime === 'bun'
            ? `bun ${bunVersion(bun!)}`
            : `kubectl ${kubectl.gitVersion}; the exec entry runs bin/kubecred.cjs by its shebang`,
        ),
      );
      announce(rows.at(-1)!);
    }
    const unauthorized = api.unauthorizedCount;
    if (unauthorized > 0) throw new Error(`bench: the API server refused ${unauthorized} kubectl requests`);
    return rows;
  } finally {
    await api.close();
    rmSync(tmp, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  }
}

function kubectlRow(p: Paired, target: number | undefined, note: string): Row {
  const ms = (s: { median: number; p25: number; p75: number }) => `${s.median.toFixed(1)} ms (${s.p25.toFixed(1)}–${s.p75.toFixed(1)})`;
  const share = (p.wall.median - p.base.wall.median) / p.wall.median;
  return {
    scenario: p.name,
    measured: ms(p.wall),
    baseline: `static token: ${ms(p.base.wall)}`,
    ratio: `${p.wallRatio.median.toFixed(2)}× (${p.wallRatio.p25.toFixed(2)}–${p.wallRatio.p75.toFixed(2)}); the plugin's share ${(share * 100).toFixed(0)}%`,
    target: target === undefined ? '— (Node cannot start faster than node -e 0)' : `≤ ${target.toFixed(2)}×`,
    holds: target === undefined ? undefined : p.wallRatio.median <= target,
    note,
  };
}
