// Many kubectl processes at once (IDEs, Lens, scripts): one refresh, one browser tab, and after a
// failed login the others fail fast instead of opening more tabs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requireKubectl } from './fixtures/kubectl.js';
import { SECRET_VALUE, startOidcRig, type OidcRig } from './helpers/oidc/rig.js';

const N = 32;

async function versions(rig: OidcRig, n: number, env?: Record<string, string>) {
  return Promise.all(Array.from({ length: n }, () => rig.kubectl(['get', '--raw', '/version'], env)));
}

test(`${N} concurrent kubectl with an expired ID token and rotating refresh tokens: one refresh`, async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startOidcRig({ idp: { rotateRefreshTokens: true } });
  t.after(() => rig.close());
  await rig.useArgs(rig.getTokenArgs(['--browser-command', rig.browserCommand()]));
  assert.equal((await rig.readSecret()).value, SECRET_VALUE);
  rig.expireCachedTokens();
  rig.idp.resetCounts();
  const results = await versions(rig, N);
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  assert.equal(rig.idp.counts.token_by_grant.refresh_token, 1, 'exactly one refresh at the IdP');
  assert.equal(rig.idp.counts.token, 1);
  assert.equal(rig.browserCalls(), 1, 'no browser after the first login');
});

test(`${N} concurrent kubectl with an empty cache: one browser login for all`, async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startOidcRig();
  t.after(() => rig.close());
  await rig.useArgs(rig.getTokenArgs(['--browser-command', rig.browserCommand()]));
  const results = await versions(rig, N);
  for (const r of results) assert.equal(r.code, 0, r.stderr);
  assert.equal(rig.browserCalls(), 1, 'one browser tab');
  assert.equal(rig.idp.counts.token_by_grant.authorization_code, 1);
});

test('an abandoned login makes the waiting and the next invocations fail fast with its reason', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startOidcRig();
  t.after(() => rig.close());
  // The "browser" records the URL and never logs in: the login times out after 2 s.
  await rig.useArgs(rig.getTokenArgs(['--browser-command', rig.browserCommand('record'), '--authentication-timeout', '2s']));
  const results = await versions(rig, 6);
  for (const r of results) {
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no login completed within 2s/);
  }
  assert.equal(rig.browserCalls(), 1, 'one tab for all six');
  const later = await rig.kubectl(['get', '--raw', '/version']);
  assert.equal(later.code, 1);
  assert.match(later.stderr, /no login completed within 2s.*failed moments ago/);
  assert.equal(rig.browserCalls(), 1, 'no new tab within 30 s');
  assert.equal(rig.cacheSnapshot(), '', 'nothing cached');
});
