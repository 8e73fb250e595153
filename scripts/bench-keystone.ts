// Keystone miss with a remembered password, driven by the real kubectl against real Keystone (the
// test rig: Debian keystone + SQLite, a counting proxy in front): how many requests a refresh makes
// and how many bytes it receives. The target is one POST /v3/auth/tokens?nocatalog (a catalog
// would be tens of KiB that kubecred never reads).
import { keystoneSkip } from '../test/fixtures/keystone.js';
import { findKubectl } from '../test/fixtures/kubectl.js';
import { newHome, setupArgs, startRig } from '../test/helpers/keystone/rig.js';
import { announce, SHORT, type Row } from './bench-lib.js';

export async function keystoneRows(): Promise<Row[]> {
  const skip = keystoneSkip() || (findKubectl() ? false : 'no kubectl');
  if (skip) {
    console.log(`keystone rows skipped: ${skip}`);
    return [
      {
        scenario: 'get-token keystone, miss with a remembered password',
        measured: `not measured: ${skip}`,
        baseline: '',
        ratio: '',
        target: '1 request (nocatalog)',
      },
    ];
  }
  const rig = await startRig();
  try {
    const home = newHome();
    const setup = await home.kubecred(
      setupArgs(rig, home, 'cms', [
        '--username',
        'alice',
        '--user-domain',
        'cloudveneto',
        '--project',
        'CMS',
        '--password-stdin',
        '--remember-password',
        '--use',
      ]),
      rig.cv.alice.password,
    );
    if (setup.code !== 0) throw new Error(`bench: keystone setup-context failed: ${setup.stderr}`);
    const rounds = SHORT ? 2 : 5;
    const perRound: Array<{ requests: number; bytes: number; nocatalog: boolean }> = [];
    for (let i = 0; i < rounds; i++) {
      home.expireCache();
      rig.proxy.reset();
      const r = await home.kubectl(['get', '--raw', '/version']);
      if (r.code !== 0) throw new Error(`bench: kubectl through keystone failed: ${r.stderr}`);
      const reqs = rig.proxy.requests;
      perRound.push({
        requests: reqs.length,
        bytes: reqs.reduce((n, q) => n + q.bytes, 0),
        nocatalog:
          reqs.length === 1 && reqs[0]!.method === 'POST' && reqs[0]!.path.endsWith('/auth/tokens') && reqs[0]!.query === '?nocatalog',
      });
    }
    const requests = Math.max(...perRound.map((p) => p.requests));
    const bytes = perRound.map((p) => p.bytes).sort((a, b) => a - b)[Math.floor(rounds / 2)]!;
    const row: Row = {
      scenario: 'get-token keystone, miss with a remembered password (through kubectl)',
      measured: `${requests} request${requests === 1 ? '' : 's'} per miss (${rounds} misses), ${bytes} bytes received (median)`,
      baseline: '—',
      ratio: perRound.every((p) => p.nocatalog) ? 'POST /v3/auth/tokens?nocatalog only' : 'other requests too',
      target: '1 request, ?nocatalog',
      holds: perRound.every((p) => p.nocatalog),
    };
    announce(row);
    return [row];
  } finally {
    await rig.close();
  }
}
