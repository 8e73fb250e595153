// get-token keystone driven by the real kubectl against a real Keystone: how many Keystone requests
// kubectl commands cost (cached: none; expired: one; sixteen at once on an expired token: one), the
// OS_* environment and client-keystone-auth's spellings, revocation, logout, and failures.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { keystoneSkip, requireKeystone } from './fixtures/keystone.js';
import { requireKubectl, writeKubeconfig } from './fixtures/kubectl.js';
import { loggedArgv, newHome, setupArgs, startRig, type Home, type Rig } from './helpers/keystone/rig.js';
import { filesContaining, watchArgv } from './helpers/keystone/secrets.js';

const CMS = ['--username', 'alice', '--user-domain', 'cloudveneto', '--project', 'CMS'];

describe('get-token keystone with kubectl', { skip: keystoneSkip() }, () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig();
  });
  after(async () => {
    await rig?.close();
  });

  /** A home with context `cms` set up with a remembered password. */
  async function rememberedHome(): Promise<Home> {
    const home = newHome();
    const r = await home.kubecred(
      setupArgs(rig, home, 'cms', [...CMS, '--password-stdin', '--remember-password', '--use']),
      rig.cv.alice.password,
    );
    assert.equal(r.code, 0, r.stderr);
    return home;
  }

  test('a cached token costs no Keystone request, an expired one exactly one, sixteen kubectl at once still one', async (t) => {
    if (!requireKeystone(t) || !requireKubectl(t)) return;
    const home = await rememberedHome();
    const watch = watchArgv([rig.cv.alice.password]);
    rig.proxy.reset();
    for (let i = 0; i < 3; i++) {
      const r = await home.kubectl(['get', 'secrets']);
      assert.equal(r.code, 0, r.stderr);
    }
    assert.equal(rig.proxy.requests.length, 0, 'served from the cache');

    home.expireCache();
    const one = await home.kubectl(['get', 'secrets']);
    assert.equal(one.code, 0, one.stderr);
    assert.equal(rig.proxy.tokenIssues(), 1);
    assert.equal(rig.proxy.requests.length, 1, 'nothing but POST /v3/auth/tokens');

    home.expireCache();
    rig.proxy.reset();
    rig.api.resetRequests();
    const runs = await Promise.all(Array.from({ length: 16 }, () => home.kubectl(['get', 'namespaces'])));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    assert.equal(rig.proxy.tokenIssues(), 1, 'the lock makes the sixteen share one authentication');
    assert.ok(rig.api.requests.filter((r) => r.path === '/api/v1/namespaces').every((r) => r.user?.username === 'alice'));
    assert.deepEqual(watch.stop().hits, []);
    assert.ok(loggedArgv(home).length >= 16);
    assert.deepEqual(filesContaining(home.dir, [rig.cv.alice.password], [home.secretsDir]), []);
  });

  test('OS_* environment alone, and client-keystone-auth flag spellings with OS_PASSWORD', async (t) => {
    if (!requireKeystone(t) || !requireKubectl(t)) return;
    const { alice } = rig.cv;
    const variants: Array<{ args: string[]; env: Record<string, string> }> = [
      {
        args: ['get-token', 'keystone'],
        env: {
          OS_AUTH_URL: rig.proxy.url,
          OS_USERNAME: 'alice',
          OS_USER_DOMAIN_NAME: 'cloudveneto',
          OS_PROJECT_NAME: 'CMS',
          OS_PROJECT_DOMAIN_NAME: 'cloudveneto',
          OS_PASSWORD: alice.password,
        },
      },
      {
        args: [
          'get-token',
          'keystone',
          `--keystone-url=${rig.proxy.url.replace(/\/v3$/, '')}`,
          '--domain-name=cloudveneto',
          '--user-name=alice',
          '--project-name=CMS',
        ],
        env: { OS_PASSWORD: alice.password },
      },
    ];
    for (const v of variants) {
      const home = newHome();
      await writeKubeconfig(home.kubeconfig, {
        server: rig.api.url,
        caPem: rig.api.caPem,
        user: { exec: { command: home.execCommand, args: v.args } },
        namespace: 'cms',
      });
      rig.proxy.reset();
      rig.api.resetRequests();
      const first = await home.kubectl(['get', 'secrets'], v.env);
      assert.equal(first.code, 0, first.stderr);
      const second = await home.kubectl(['get', 'secrets'], v.env);
      assert.equal(second.code, 0, second.stderr);
      assert.equal(rig.proxy.tokenIssues(), 1, 'unlike client-keystone-auth, the second kubectl is served from the cache');
      const seen = rig.api.requests.find((r) => r.path === '/api/v1/namespaces/cms/secrets');
      assert.equal(seen?.user?.username, 'alice');
      assert.ok(seen?.user?.groups.includes(rig.cv.project.id));
      assert.deepEqual(filesContaining(home.dir, [alice.password]), [], 'OS_PASSWORD is never written down');
    }
  });

  test('a token revoked at Keystone: kubectl is refused until cache reset --context, then one new token', async (t) => {
    if (!requireKeystone(t) || !requireKubectl(t)) return;
    const home = await rememberedHome();
    const token = home.cacheEntries()[0]!.entry.credential.token as string;
    const revoke = await rig.ks.api('DELETE', '/auth/tokens', undefined, { 'x-subject-token': token });
    assert.equal(revoke.status, 204);
    rig.proxy.reset();
    const refused = await home.kubectl(['get', 'secrets']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /Unauthorized|must be logged in/);

    const reset = await home.kubecred(['cache', 'reset', '--context', 'cms']);
    assert.equal(reset.code, 0, reset.stderr);
    assert.match(reset.stderr, /removed the cached credential of context cms/);
    const back = await home.kubectl(['get', 'secrets']);
    assert.equal(back.code, 0, back.stderr);
    assert.equal(rig.proxy.tokenIssues(), 1);
  });

  test('logout revokes the token at Keystone and forgets token and password', async (t) => {
    if (!requireKeystone(t)) return;
    const home = await rememberedHome();
    const token = home.cacheEntries()[0]!.entry.credential.token as string;
    assert.equal(await rig.ks.tokenValid(token), true);
    const out = await home.kubecred(['logout', '--context', 'cms']);
    assert.equal(out.code, 0, out.stderr);
    assert.match(out.stdout, /revoked the Keystone token of alice/);
    assert.match(out.stdout, /removed the stored password/);
    assert.equal(await rig.ks.tokenValid(token), false);
    assert.equal(home.cacheEntries().length, 0);
    assert.deepEqual(filesContaining(home.dir, [rig.cv.alice.password]), []);
  });

  test('Keystone down and TLS failure: one line that names the host and the fix', async (t) => {
    if (!requireKeystone(t) || !requireKubectl(t)) return;
    const home = await rememberedHome();
    home.expireCache();
    await rig.proxy.down();
    try {
      const down = await home.kubectl(['get', 'secrets']);
      assert.notEqual(down.code, 0);
      assert.match(down.stderr, new RegExp(`kubecred: Keystone: ${new URL(rig.proxy.url).host} refused the connection`));
    } finally {
      await rig.proxy.up();
    }
    const back = await home.kubectl(['get', 'secrets']);
    assert.equal(back.code, 0, back.stderr);

    const tls = await home.kubecred(
      [
        'get-token',
        'keystone',
        `--auth-url=${rig.api.url}/v3`,
        '--username=alice',
        '--project-name=CMS',
        `--token-cache-dir=${join(home.dir, 'other-cache')}`,
      ],
      '',
      { OS_PASSWORD: 'x' },
    );
    assert.equal(tls.code, 1);
    assert.match(tls.stderr, /TLS verification of 127\.0\.0\.1:\d+ failed .*--cacert FILE \(or OS_CACERT\)/);
  });
});
