// The refresh without openid-client (src/providers/oidc/refresh-direct.ts): one POST to the cached
// token endpoint, the ID token's claims and signature checked as the openid-client engine checks
// them, the engine taking over (before anything is consumed) whenever the direct path cannot be
// sure. Forged answers come from a tampering reverse proxy the cached endpoint points at.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as jose from 'jose';
import { checkRefreshedIdToken } from '../src/providers/oidc/id-token-claims.js';
import { repoRoot, type RunResult } from './helpers/cli.js';
import { startOidcRig, type OidcRig } from './helpers/oidc/rig.js';
import { startTamperProxy, type TamperProxy } from './helpers/oidc/tamper-proxy.js';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'RS256', kid: 'k' }) =>
  `${b64(header)}.${b64(claims)}.c2ln`;
const now = 1_900_000_000;
const good = { iss: 'https://idp.example', aud: 'kubernetes', sub: 'alice', iat: now - 5, exp: now + 300 };
const expect = { issuer: 'https://idp.example', clientId: 'kubernetes', nowMs: now * 1000 };

test('claims of a refreshed ID token: what openid-client accepts passes, the rest is refused in words', () => {
  assert.equal(checkRefreshedIdToken(jwt(good), expect).sub, 'alice');
  assert.equal(checkRefreshedIdToken(jwt({ ...good, aud: ['kubernetes'] }), expect).sub, 'alice', 'a one-element audience list');
  assert.ok(checkRefreshedIdToken(jwt({ ...good, aud: ['kubernetes', 'other'], azp: 'kubernetes' }), expect));
  assert.ok(checkRefreshedIdToken(jwt({ ...good, exp: now - 20 }), expect), 'within the 30 s clock tolerance');
  assert.ok(checkRefreshedIdToken(jwt(good, { alg: 'ES256' }), { ...expect, algorithms: ['RS256', 'ES256'] }), 'an advertised alg');
  const refused: Array<[Record<string, unknown>, RegExp, Record<string, unknown>?, object?]> = [
    [{ ...good, iss: 'https://evil.example' }, /issued by "https:\/\/evil\.example", not "https:\/\/idp\.example"/],
    [{ ...good, aud: 'someone-else' }, /not meant for client "kubernetes"/],
    [{ ...good, aud: ['kubernetes', 'other'] }, /other audiences too and no authorized party/],
    [{ ...good, aud: ['kubernetes', 'other'], azp: 'other' }, /authorized for "other"/],
    [{ ...good, exp: now - 31 }, /already expired/],
    [{ ...good, exp: String(now + 300) }, /exp claim that is not a number/],
    [{ ...good, nbf: now + 60 }, /not valid yet/],
    [{ ...good, sub: '' }, /no subject/],
    [{ iss: good.iss, aud: good.aud, exp: good.exp, sub: good.sub }, /no iat claim/],
    [good, /signed with "HS256", which the IdP does not advertise/, { alg: 'HS256' }],
    [good, /signed with "ES256"/, { alg: 'ES256' }],
    [good, /signed with "ES256"/, { alg: 'ES256' }, { algorithms: ['RS256'] }],
  ];
  for (const [claims, pattern, header, more] of refused) {
    assert.throws(() => checkRefreshedIdToken(jwt(claims, header), { ...expect, ...more }), pattern, JSON.stringify(claims));
  }
  assert.throws(() => checkRefreshedIdToken('a.b.c.d.e', expect), /encrypted ID tokens are not supported/);
  assert.throws(() => checkRefreshedIdToken('not-a-jwt', expect), /not a signed JWT/);
});

test('the get-token bundle holds no import() and keeps yaml out; the fast path holds no provider code', () => {
  const text = (f: string) => readFileSync(join(repoRoot, f), 'utf8');
  assert.ok(!/\bimport\(/.test(text('dist/get-token.cjs')), 'no import() (Node 20 compiles it with a code cache)');
  assert.ok(!text('dist/get-token.cjs').includes('node_modules/yaml/'), 'yaml is required at run time, only where needed');
  assert.ok(text('dist/get-token.cjs').includes('src/providers/oidc/refresh-direct.ts'));
  assert.ok(!text('bin/kubecred.cjs').includes('src/providers/oidc/refresh-direct.ts'));
});

interface LoggedIn {
  rig: OidcRig;
  args: string[];
  /** get-token on the expired entry, with -v unless `quiet` (then a failure's last line is its message). */
  refresh(env?: Record<string, string>, quiet?: boolean): Promise<RunResult>;
  storedRefreshToken(): string;
  entry(): { meta: { server: Record<string, unknown> }; expiresAt: string; credential: { token: string } };
}

async function loggedIn(t: { after(fn: () => unknown): void }, rigOptions: Parameters<typeof startOidcRig>[0] = {}): Promise<LoggedIn> {
  const rig = await startOidcRig(rigOptions);
  t.after(() => rig.close());
  // The password grant logs in fastest; without KUBECRED_PASSWORD later runs cannot log in again.
  const args = ['get-token', 'oidc', ...rig.getTokenArgs(['--username', 'alice'])];
  const login = await rig.kubecred(args, { env: { KUBECRED_PASSWORD: 'alice-password' } });
  assert.equal(login.code, 0, login.stderr);
  const entryFile = () =>
    join(
      rig.cacheDir,
      readdirSync(rig.cacheDir).find((n) => n.endsWith('.json'))!,
    );
  const secretsDir = join(rig.cacheDir, 'secrets');
  return {
    rig,
    args,
    refresh: (env = {}, quiet = false) => {
      rig.expireCachedTokens();
      return rig.kubecred(quiet ? args : [...args, '-v'], { env });
    },
    storedRefreshToken: () =>
      readFileSync(
        join(
          secretsDir,
          readdirSync(secretsDir).find((n) => n.endsWith('refresh_token'))!,
        ),
        'utf8',
      ),
    entry: () => JSON.parse(readFileSync(entryFile(), 'utf8')),
  };
}

/** Points the cached token endpoint at a tampering reverse proxy in front of the IdP. */
async function behindTamperProxy(t: { after(fn: () => unknown): void }, l: LoggedIn): Promise<TamperProxy> {
  const proxy = await startTamperProxy({ upstream: new URL(l.rig.idp.issuer).origin });
  t.after(() => proxy.close());
  const file = join(
    l.rig.cacheDir,
    readdirSync(l.rig.cacheDir).find((n) => n.endsWith('.json'))!,
  );
  const entry = JSON.parse(readFileSync(file, 'utf8'));
  entry.meta.server.token_endpoint = proxy.url + new URL(entry.meta.server.token_endpoint).pathname;
  writeFileSync(file, JSON.stringify(entry), { mode: 0o600 });
  return proxy;
}

test('a refresh is one POST without the openid-client engine; the rotated refresh token is stored', async (t) => {
  const l = await loggedIn(t);
  const before = l.storedRefreshToken();
  l.rig.idp.resetCounts();
  const r = await l.refresh();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /refreshing with the stored refresh token at http:\/\/127\.0\.0\.1:\d+\/token/);
  assert.doesNotMatch(r.stderr, /no direct refresh/);
  assert.equal(l.rig.idp.counts.token, 1);
  assert.equal(l.rig.idp.counts.token_by_grant.refresh_token, 1);
  assert.equal(jose.decodeJwt(JSON.parse(r.stdout).status.token).sub, 'alice');
  assert.notEqual(l.storedRefreshToken(), before, 'the IdP rotated it, and the new one is kept');
  // Twice more: the stored one works (a lost rotation would end in invalid_grant here).
  for (let i = 0; i < 2; i++) assert.equal((await l.refresh()).code, 0);
});

test('HTTPS_PROXY set: the direct path steps aside and the engine refreshes (NO_PROXY lets it reach the IdP)', async (t) => {
  const l = await loggedIn(t);
  l.rig.idp.resetCounts();
  const r = await l.refresh({ HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9', NO_PROXY: '127.0.0.1' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /no direct refresh \(the full HTTP client is needed/);
  assert.equal(l.rig.idp.counts.token, 1, 'still one request');
});

test('an https IdP with --oidc-ca-file: the direct path verifies TLS with that CA', async (t) => {
  const l = await loggedIn(t, { idp: { https: true } });
  const r = await l.refresh();
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /refreshing with the stored refresh token at https:/);
  assert.doesNotMatch(r.stderr, /no direct refresh/);
});

test('a revoked refresh token: one POST, forgotten, and one line saying what to do (no login possible here)', async (t) => {
  const l = await loggedIn(t);
  l.rig.idp.revokeAllRefreshTokens();
  l.rig.idp.resetCounts();
  const r = await l.refresh({}, true);
  assert.equal(r.code, 1);
  assert.match(
    r.stderr.trim().split('\n').at(-1)!,
    /^kubecred: the IdP no longer accepts the refresh token \(expired or revoked\); run kubecred login --context/,
  );
  assert.equal(l.rig.idp.counts.token, 1, 'the dead token is not sent twice');
  assert.equal(readdirSync(join(l.rig.cacheDir, 'secrets')).filter((n) => n.endsWith('refresh_token')).length, 0, 'forgotten');
});

test('a revoked refresh token where a login can happen: forgotten, then one login (no second refresh)', async (t) => {
  const l = await loggedIn(t);
  l.rig.idp.revokeAllRefreshTokens();
  l.rig.idp.resetCounts();
  const r = await l.refresh({ KUBECRED_PASSWORD: 'alice-password' });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /the refresh token is no longer valid \(expired or revoked\); logging in again/);
  assert.deepEqual(l.rig.idp.counts.token_by_grant, { refresh_token: 1, password: 1 });
});

test('forged refresh answers are refused in one line, the cache keeps its old entry, and the rotated refresh token is kept', async (t) => {
  const l = await loggedIn(t);
  const proxy = await behindTamperProxy(t, l);
  const forge = (change: Record<string, unknown>, opts?: { kid?: string; alg?: 'ES256' }) =>
    proxy.rewrite.set('/token', async (json) => {
      const claims = jose.decodeJwt(json.id_token as string);
      return { ...json, id_token: await l.rig.idp.signJwt({ ...claims, ...change }, opts) };
    });
  const cases: Array<[() => void, RegExp]> = [
    [() => forge({ iss: 'https://evil.example' }), /refreshing the token: the refreshed ID token was issued by "https:\/\/evil\.example"/],
    [() => forge({ aud: 'another-client' }), /not meant for client/],
    [() => forge({ sub: 'mallory' }), /speaks for another subject/],
    [() => forge({ exp: Math.floor(Date.now() / 1000) - 3600 }), /has already expired/],
    [() => forge({}, { kid: 'unknown-key' }), /signed with key "unknown-key", which the IdP does not publish/],
    [
      () =>
        proxy.rewrite.set('/token', (json) => {
          const [h, p] = (json.id_token as string).split('.');
          return { ...json, id_token: `${h}.${p}.${Buffer.from('forged').toString('base64url')}` };
        }),
      /not genuine: its signature does not verify/,
    ],
  ];
  for (const [arrange, pattern] of cases) {
    arrange();
    let answered: string | undefined;
    const hook = proxy.rewrite.get('/token')!;
    proxy.rewrite.set('/token', async (json, path) => {
      answered = json.refresh_token as string;
      return hook(json, path);
    });
    const before = l.entry();
    // The previous case's failure would make this run fail fast (30 s): start clean.
    for (const f of readdirSync(l.rig.cacheDir).filter((n) => n.endsWith('.failed'))) rmSync(join(l.rig.cacheDir, f));
    const r = await l.refresh({}, true);
    assert.equal(r.code, 1, r.stderr);
    const last = r.stderr.trim().split('\n').at(-1)!;
    assert.match(last, /^kubecred: /);
    assert.match(last, pattern);
    assert.equal(r.stdout, '');
    assert.deepEqual(l.entry(), { ...before, expiresAt: l.entry().expiresAt }, 'the entry is as it was');
    assert.equal(l.storedRefreshToken(), answered, 'the rotated refresh token the IdP sent is kept');
    assert.ok(!r.stderr.includes(answered!), 'and never printed');
  }
});

test('a token endpoint that does not answer: the direct POST times out once, then discovery is read again, not the same POST sent', async (t) => {
  const l = await loggedIn(t);
  l.rig.idp.setDelay('token', 4000);
  l.rig.idp.resetCounts();
  l.rig.expireCachedTokens();
  const r = await l.rig.kubecred([...l.args, '--request-timeout', '1s']);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr.trim().split('\n').at(-1)!, /^kubecred: .*did not answer within 1s/);
  assert.equal(l.rig.idp.counts.token, 1, 'one POST: the engine does not repeat it');
  assert.equal(l.rig.idp.counts.discovery, 1, 'stale endpoints? discovery is read again once');
});
