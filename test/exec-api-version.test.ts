// setup-context writes the exec apiVersion the user's kubectl understands.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { testTempDir } from './helpers/cli.js';
import { join } from 'node:path';
import { chooseExecApiVersion, kubectlMinorVersion } from '../src/usecases/kubectl-version.js';

function fakeKubectl(minor: string): string {
  const dir = testTempDir('kubecred-fake-kubectl-');
  const file = join(dir, 'kubectl');
  writeFileSync(file, `#!/bin/sh\necho '{"clientVersion":{"major":"1","minor":"${minor}","gitVersion":"v1.${minor}.0"}}'\n`);
  chmodSync(file, 0o755);
  return file;
}

test('kubectl older than 1.22 gets v1beta1, with a reason; newer or unknown gets v1', () => {
  const old = chooseExecApiVersion(20);
  assert.equal(old.apiVersion, 'client.authentication.k8s.io/v1beta1');
  assert.match(old.reason ?? '', /kubectl 1\.20 knows only exec apiVersion v1beta1/);
  assert.deepEqual(chooseExecApiVersion(22), { apiVersion: 'client.authentication.k8s.io/v1' });
  assert.deepEqual(chooseExecApiVersion(undefined), { apiVersion: 'client.authentication.k8s.io/v1' });
});

test('the kubectl asked is $KUBECTL, else kubectl on PATH; none answers undefined', () => {
  assert.equal(kubectlMinorVersion({ KUBECTL: fakeKubectl('20'), PATH: '/usr/bin:/bin' }), 20);
  const onPath = fakeKubectl('31+');
  assert.equal(kubectlMinorVersion({ PATH: `${join(onPath, '..')}:/usr/bin:/bin` }), 31);
  assert.equal(kubectlMinorVersion({ KUBECTL: '/nonexistent/kubectl', PATH: '/usr/bin:/bin' }), undefined);
});
