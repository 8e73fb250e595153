// `npm run bench`: cache-hit get-token against `node -e 0`, alternately in the same run, so the
// ratio is what counts, not the machine. Optional scenarios (OIDC refresh) register themselves in
// scripts/bench-scenarios.ts. Prints medians and ratios; never asserts.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeEntry } from '../src/store/token-cache.js';
import { cacheKey } from '../src/store/cache-key.js';
import { providerModules } from '../src/providers/registry.js';

const identityRules = Object.fromEntries(providerModules.map((m) => [m.kind, { flags: m.getTokenFlags, identity: m.identity }]));
import { parseFlags } from '../src/exec/flags.js';
import { extraScenarios } from './bench-scenarios.js';
import { bin, comparePaired, measure, printRow, PAIRS, WARMUP } from './bench-lib.js';

async function cacheHitScenario() {
  const home = mkdtempSync(join(tmpdir(), 'kubecred-bench-'));
  const args = ['get-token', 'oidc', '--issuer-url=https://idp.example/realms/cozy', '--client-id=kubernetes', '--extra-scope=groups', '--skip-open-browser'];
  const rule = identityRules.oidc!;
  const identity = rule.identity(parseFlags(rule.flags, args.slice(2)).values);
  const cacheDir = join(home, 'cache', 'kubecred');
  writeEntry(cacheDir, cacheKey(identity), {
    v: 1,
    provider: 'oidc',
    identity,
    label: 'bench',
    storage: 'disk',
    expiresAt: new Date(Date.now() + 3600_000).toISOString(),
    obtainedAt: new Date().toISOString(),
    credential: { token: 'eyJhbGciOiJSUzI1NiJ9.' + 'x'.repeat(800) + '.sig' },
  });
  const env = {
    ...process.env,
    HOME: home,
    KUBECACHEDIR: join(home, 'cache'),
    KUBERNETES_EXEC_INFO: JSON.stringify({ apiVersion: 'client.authentication.k8s.io/v1', kind: 'ExecCredential', spec: { interactive: false } }),
  };
  try {
    return await comparePaired('get-token (cache hit)', () => measure([process.execPath, bin, ...args], env));
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

console.log(`kubecred bench: ${PAIRS} pairs after ${WARMUP} warm-up runs, medians; Node ${process.version}`);
const hit = await cacheHitScenario();
printRow(hit, `  (target ≤ 1.10x wall, ≤ 1.15x rss)`);
for (const scenario of extraScenarios) await scenario();
