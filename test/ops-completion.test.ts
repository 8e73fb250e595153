// `kubecred completion`: the generated bash script completes commands, the provider table's flags
// and the kubeconfig's context names, run by a real bash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isolatedHome, kubecredBin, runKubecred } from './helpers/cli.js';

function complete(env: Record<string, string>, script: string, words: string[]): string[] {
  const line = `source ${script}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _kubecred; printf '%s\\n' "\${COMPREPLY[@]}"`;
  return execFileSync('bash', ['-c', line], { env, encoding: 'utf8' }).split('\n').filter(Boolean);
}

test('bash completion: commands, provider flags (from the flag tables), context names', async () => {
  const { home, env } = isolatedHome('kubecred-completion-');
  const bin = join(home, 'bin');
  mkdirSync(bin);
  symlinkSync(kubecredBin, join(bin, 'kubecred'));
  const runEnv = { ...env, PATH: `${bin}:${env.PATH}` };
  writeFileSync(
    env.KUBECONFIG!,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [],
      users: [],
      contexts: [
        { name: 'mia-prod', context: { cluster: 'c', user: 'u' } },
        { name: 'cms', context: { cluster: 'c', user: 'u' } },
      ],
    }),
  );
  const r = await runKubecred(['completion', 'bash'], { env: runEnv });
  assert.equal(r.code, 0, r.stderr);
  const script = join(home, 'kubecred.bash');
  writeFileSync(script, r.stdout);
  assert.ok(complete(runEnv, script, ['kubecred', '']).includes('doctor'));
  assert.deepEqual(complete(runEnv, script, ['kubecred', 'con']), ['convert-kubeconfig']);
  assert.deepEqual(complete(runEnv, script, ['kubecred', 'get-token', '']), ['oidc', 'keystone', 'iam', 'tenant']);
  const oidcFlags = complete(runEnv, script, ['kubecred', 'get-token', 'oidc', '--oidc-iss']);
  assert.deepEqual(oidcFlags, ['--oidc-issuer-url']);
  assert.ok(
    !complete(runEnv, script, ['kubecred', 'get-token', 'oidc', '--pass']).includes('--password'),
    'a refused flag is not suggested',
  );
  assert.deepEqual(complete(runEnv, script, ['kubecred', 'get-token', 'keystone', '--keystone']), ['--keystone-url']);
  assert.ok(complete(runEnv, script, ['kubecred', 'doctor', '--']).includes('--fix'));
  assert.deepEqual(complete(runEnv, script, ['kubecred', 'whoami', '--context', '']).sort(), ['cms', 'mia-prod']);
  for (const shell of ['zsh', 'fish']) {
    const s = await runKubecred(['completion', shell], { env: runEnv });
    assert.equal(s.code, 0);
    assert.match(s.stdout, /__complete contexts/);
  }
  const bad = await runKubecred(['completion', 'tcsh'], { env: runEnv });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /completion takes bash, zsh or fish/);
});
