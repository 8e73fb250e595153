// The miss path of get-token with a scripted provider and injected infrastructure: what is asked of
// the provider, what is cached, and when it fails fast.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { getToken } from '../src/usecases/get-token.js';
import type { CredentialProvider, ObtainMode, ObtainedCredential, ProviderModule } from '../src/providers/types.js';
import { oidcModule } from '../src/providers/oidc/module.js';
import type { CacheEntry } from '../src/store/token-cache.js';
import type { Infrastructure } from '../src/infra/types.js';
import { oidcGetTokenFlags } from '../src/providers/oidc/flags.js';
import { oidcIdentity } from '../src/providers/oidc/identity.js';
import { tokenFile } from '../src/store/paths.js';
import { LoginFailedError, KubecredError } from '../src/shared/errors.js';
import { EXEC_API_V1 } from '../src/exec/exec-info.js';
import { testTempDir } from './helpers/cli.js';

interface Call {
  mode: ObtainMode;
  previous: CacheEntry | undefined;
}

function scriptedProvider(answers: Array<ObtainedCredential | Error>) {
  const calls: Call[] = [];
  const impl: CredentialProvider<unknown> = {
    settings: (values) => values,
    setup: async () => ({ args: [] }),
    describe: () => ({ summary: 'alice', fields: [] }),
    async obtain(_ctx, _settings, previous, mode) {
      calls.push({ mode, previous });
      const next = answers.shift();
      if (!next) throw new Error('provider asked more often than scripted');
      if (next instanceof Error) throw next;
      return next;
    },
    async logout() {
      return [];
    },
  };
  // The OIDC module's flags and identity, with the scripted provider behind it.
  const provider: ProviderModule = { ...oidcModule, load: async () => impl };
  return { provider, calls };
}

function harness() {
  const home = testTempDir('kubecred-gt-');
  const cacheDir = join(home, 'cache');
  let now = Date.parse('2030-01-01T00:00:00Z');
  const logs: string[] = [];
  const infra: Infrastructure = {
    clock: { now: () => now },
    log: { info: (m) => logs.push(`info ${m}`), warn: (m) => logs.push(`warn ${m}`), debug: () => {} },
    prompt: { available: false, secret: () => Promise.reject(new Error('no tty')), line: () => Promise.reject(new Error('no tty')) },
    browser: { open: () => Promise.reject(new Error('no browser in this test')) },
    env: { HOME: home },
    http: { fetcher: () => () => Promise.reject(new Error('no network in this test')) },
    stderrIsTTY: false,
  };
  const argv = ['--issuer-url=https://idp.example', '--client-id=k8s', `--token-cache-dir=${cacheDir}`];
  const execInfo = { apiVersion: EXEC_API_V1, interactive: false, absent: false } as const;
  const token = (t: string, lifetimeMs = 3600_000): ObtainedCredential => ({
    material: { token: t },
    expiresAt: new Date(now + lifetimeMs),
    label: 'alice',
  });
  return { home, cacheDir, infra, argv, execInfo, logs, token, advance: (ms: number) => (now += ms), now: () => now };
}

test('a miss asks the provider once, caches, and the next call is a hit', async () => {
  const h = harness();
  const { provider, calls } = scriptedProvider([h.token('first')]);
  const a = await getToken(h.infra, { module: provider, modules: [provider], argv: h.argv, execInfo: h.execInfo });
  assert.equal(JSON.parse(a.output).status.token, 'first');
  assert.equal(a.fromCache, false);
  assert.deepEqual(
    calls.map((c) => c.mode),
    ['auto'],
  );
  assert.equal(calls[0]!.previous, undefined);
  const b = await getToken(h.infra, { module: provider, modules: [provider], argv: [...h.argv].reverse(), execInfo: h.execInfo });
  assert.equal(b.fromCache, true);
  assert.equal(JSON.parse(b.output).status.token, 'first');
  assert.equal(calls.length, 1, 'no second provider call');
  const file = readFileSync(
    tokenFile(h.cacheDir, a.entry ? (await import('../src/store/cache-key.js')).cacheKey(a.entry.identity) : ''),
    'utf8',
  );
  assert.equal(JSON.parse(file).label, 'alice');
  assert.equal(statSync(h.cacheDir).mode & 0o777, 0o700);
});

test('an expired entry is handed to the provider as previous (for a refresh)', async () => {
  const h = harness();
  const { provider, calls } = scriptedProvider([h.token('first', 120_000), h.token('second')]);
  await getToken(h.infra, { module: provider, modules: [provider], argv: h.argv, execInfo: h.execInfo });
  h.advance(61_000); // 59 s left: inside the 60 s margin
  const r = await getToken(h.infra, { module: provider, modules: [provider], argv: h.argv, execInfo: h.execInfo });
  assert.equal(JSON.parse(r.output).status.token, 'second');
  assert.equal(
    calls[1]!.previous?.credential && 'token' in calls[1]!.previous.credential ? calls[1]!.previous.credential.token : '',
    'first',
  );
});

test('a corrupt entry is a miss with one warning, then overwritten', async () => {
  const h = harness();
  const { provider } = scriptedProvider([h.token('first'), h.token('second')]);
  const first = await getToken(h.infra, { module: provider, modules: [provider], argv: h.argv, execInfo: h.execInfo });
  const { cacheKey } = await import('../src/store/cache-key.js');
  const file = tokenFile(h.cacheDir, cacheKey(first.entry.identity));
  writeFileSync(file, '{"v":1,"expiresAt":');
  const r = await getToken(h.infra, { module: provider, modules: [provider], argv: h.argv, execInfo: h.execInfo });
  assert.equal(JSON.parse(r.output).status.token, 'second');
  assert.equal(h.logs.filter((l) => l.startsWith('warn') && /unusable/.test(l)).length, 1);
  assert.equal(JSON.parse(readFileSync(file, 'utf8')).credential.token, 'second');
});

test('a failed login makes the next 30 s fail fast with its reason, without asking the provider', async () => {
  const h = harness();
  const { provider, calls } = scriptedProvider([new LoginFailedError('the browser login was abandoned'), h.token('later')]);
  await assert.rejects(getToken(h.infra, { module: provider, modules: [provider], argv: h.argv, execInfo: h.execInfo }), /abandoned/);
  h.advance(10_000);
  await assert.rejects(getToken(h.infra, { module: provider, modules: [provider], argv: h.argv, execInfo: h.execInfo }), (err: Error) => {
    assert.match(err.message, /abandoned.*retry in 30 s/);
    assert.ok(!err.message.includes('\n'));
    return true;
  });
  assert.equal(calls.length, 1);
  h.advance(21_000);
  const r = await getToken(h.infra, { module: provider, modules: [provider], argv: h.argv, execInfo: h.execInfo });
  assert.equal(JSON.parse(r.output).status.token, 'later');
});

test('other errors are not remembered; a credential expired on arrival is refused and not cached', async () => {
  const h = harness();
  const { provider, calls } = scriptedProvider([
    new KubecredError('idp.example refused the connection'),
    h.token('dead', -1000),
    h.token('ok'),
  ]);
  await assert.rejects(getToken(h.infra, { module: provider, modules: [provider], argv: h.argv, execInfo: h.execInfo }), /refused/);
  await assert.rejects(
    getToken(h.infra, { module: provider, modules: [provider], argv: h.argv, execInfo: h.execInfo }),
    /expired at .*check this machine's clock/,
  );
  const r = await getToken(h.infra, { module: provider, modules: [provider], argv: h.argv, execInfo: h.execInfo });
  assert.equal(JSON.parse(r.output).status.token, 'ok');
  assert.equal(calls.length, 3);
});

test('a credential shorter-lived than twice --min-validity is served with a quarter of its lifetime as margin', async () => {
  const h = harness();
  const { provider, calls } = scriptedProvider([h.token('short', 20_000), h.token('next', 20_000)]);
  const first = await getToken(h.infra, { module: provider, modules: [provider], argv: h.argv, execInfo: h.execInfo });
  assert.equal(JSON.parse(first.output).status.token, 'short');
  // kubectl is told to come back 5 s (20 s / 4) before the real expiry, not 60 s before it.
  assert.equal(Date.parse(JSON.parse(first.output).status.expirationTimestamp), Math.floor((h.now() + 15_000) / 1000) * 1000);
  h.advance(14_000);
  const hit = await getToken(h.infra, { module: provider, modules: [provider], argv: h.argv, execInfo: h.execInfo });
  assert.equal(hit.fromCache, true, 'still served from the cache 14 s into a 20 s token');
  h.advance(2_000);
  const renewed = await getToken(h.infra, { module: provider, modules: [provider], argv: h.argv, execInfo: h.execInfo });
  assert.equal(JSON.parse(renewed.output).status.token, 'next', 'renewed inside the last quarter');
  assert.equal(calls.length, 2);
});

test('--force-refresh asks for a login even with a fresh entry; --token-cache-storage none caches nothing', async () => {
  const h = harness();
  const { provider, calls } = scriptedProvider([h.token('a'), h.token('b'), h.token('c'), h.token('d')]);
  await getToken(h.infra, { module: provider, modules: [provider], argv: h.argv, execInfo: h.execInfo });
  const forced = await getToken(h.infra, {
    module: provider,
    modules: [provider],
    argv: [...h.argv, '--force-refresh'],
    execInfo: h.execInfo,
  });
  assert.equal(JSON.parse(forced.output).status.token, 'b');
  assert.deepEqual(
    calls.map((c) => c.mode),
    ['auto', 'login'],
  );
  const none = [...h.argv, '--token-cache-storage=none', '--extra-scope=other'];
  await getToken(h.infra, { module: provider, modules: [provider], argv: none, execInfo: h.execInfo });
  const again = await getToken(h.infra, { module: provider, modules: [provider], argv: none, execInfo: h.execInfo });
  assert.equal(JSON.parse(again.output).status.token, 'd');
  assert.equal(again.fromCache, false);
});

test('concurrent misses in one process share one provider call through the lock', async () => {
  const h = harness();
  const { provider, calls } = scriptedProvider([h.token('only')]);
  const results = await Promise.all(
    Array.from({ length: 5 }, () => getToken(h.infra, { module: provider, modules: [provider], argv: h.argv, execInfo: h.execInfo })),
  );
  assert.equal(calls.length, 1);
  for (const r of results) assert.equal(JSON.parse(r.output).status.token, 'only');
});

test('bad flags are usage errors before anything is touched', async () => {
  const h = harness();
  const { provider, calls } = scriptedProvider([]);
  await assert.rejects(
    getToken(h.infra, { module: provider, modules: [provider], argv: [...h.argv, '--min-validity=soon'], execInfo: h.execInfo }),
    (e: Error & { exitCode?: number }) => e.exitCode === 2,
  );
  await assert.rejects(
    getToken(h.infra, { module: provider, modules: [provider], argv: [...h.argv, '--token-cache-storage=cloud'], execInfo: h.execInfo }),
    /disk, keyring or none/,
  );
  await assert.rejects(
    getToken(h.infra, { module: provider, modules: [provider], argv: [...h.argv, 'stray'], execInfo: h.execInfo }),
    /unexpected argument/,
  );
  assert.equal(calls.length, 0);
});

test('an explicit `kubecred login` is not held back by the fail-fast window', async () => {
  const h = harness();
  const { provider, calls } = scriptedProvider([new LoginFailedError('the browser login was abandoned'), h.token('by-hand')]);
  await assert.rejects(getToken(h.infra, { module: provider, modules: [provider], argv: h.argv, execInfo: h.execInfo }), /abandoned/);
  h.advance(1_000);
  const r = await getToken(h.infra, {
    module: provider,
    modules: [provider],
    argv: [...h.argv, '--force-refresh'],
    execInfo: h.execInfo,
    explicitLogin: true,
  });
  assert.equal(JSON.parse(r.output).status.token, 'by-hand');
  assert.deepEqual(
    calls.map((c) => c.mode),
    ['auto', 'login'],
  );
});
