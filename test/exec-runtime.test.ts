// setup-context --runtime: what the exec entry becomes for node, bun and auto.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execForRuntime, parseExecRuntime } from '../src/usecases/exec-runtime.js';

function fixture(withBun: boolean) {
  const root = mkdtempSync(join(tmpdir(), 'kubecred-runtime-'));
  const binDir = join(root, 'bin');
  mkdirSync(binDir);
  if (withBun) {
    writeFileSync(join(binDir, 'bun'), '#!/bin/sh\n');
    chmodSync(join(binDir, 'bun'), 0o755);
  }
  const launcher = join(root, 'kubecred.cjs');
  writeFileSync(launcher, '');
  return { root, launcher, env: { PATH: binDir } };
}

const base = (f: ReturnType<typeof fixture>, runtime: 'node' | 'bun' | 'auto', explicitCommand = false) =>
  execForRuntime({
    runtime,
    command: 'kubecred',
    args: ['get-token', 'oidc', '--issuer-url=https://idp'],
    launcherPath: f.launcher,
    nodePath: '/opt/node/bin/node',
    explicitCommand,
    pathEnv: f.env,
  });

test('--runtime parses node, bun, auto; anything else is a usage error that lists them', () => {
  assert.equal(parseExecRuntime(undefined), 'node');
  for (const r of ['node', 'bun', 'auto'] as const) assert.equal(parseExecRuntime(r), r);
  assert.throws(() => parseExecRuntime('deno'), {
    exitCode: 2,
    message: '--runtime takes node, bun or auto (bun when it is on PATH), not "deno"',
  });
});

test('bun: `bun <launcher> get-token …` with the Node for misses in KUBECRED_NODE', (t) => {
  const f = fixture(true);
  t.after(() => rmSync(f.root, { recursive: true, force: true }));
  for (const runtime of ['bun', 'auto'] as const) {
    const r = base(f, runtime);
    assert.equal(r.command, 'bun');
    assert.deepEqual(r.args, [f.launcher, 'get-token', 'oidc', '--issuer-url=https://idp']);
    assert.deepEqual(r.env, [{ name: 'KUBECRED_NODE', value: '/opt/node/bin/node' }]);
    assert.match(r.reason!, /^runtime: bun /);
  }
});

test('node, and auto without bun on PATH or with --exec-command, leave the exec entry as it was', (t) => {
  const without = fixture(false);
  const withBun = fixture(true);
  t.after(() => rmSync(without.root, { recursive: true, force: true }));
  t.after(() => rmSync(withBun.root, { recursive: true, force: true }));
  for (const r of [base(withBun, 'node'), base(without, 'auto'), base(withBun, 'auto', true)]) {
    assert.equal(r.command, 'kubecred');
    assert.deepEqual(r.args, ['get-token', 'oidc', '--issuer-url=https://idp']);
    assert.equal(r.env, undefined);
  }
  assert.equal(base(without, 'auto').reason, 'runtime: node (bun is not on PATH)');
});

test('bun without bun on PATH, or with --exec-command: a usage error that says what to do', (t) => {
  const without = fixture(false);
  const withBun = fixture(true);
  t.after(() => rmSync(without.root, { recursive: true, force: true }));
  t.after(() => rmSync(withBun.root, { recursive: true, force: true }));
  assert.throws(() => base(without, 'bun'), { exitCode: 2, message: /bun is not on PATH: install Bun .* or use --runtime node/ });
  assert.throws(() => base(withBun, 'bun', true), { exitCode: 2, message: /leave out --exec-command, or use --runtime node/ });
});
