// The HTTP port: provider logic runs against a fake as well as against the real servers. Here the
// Keystone provider gets a token through a scripted fetch, and the request it sends is checked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { keystoneModule } from '../src/providers/keystone/module.js';
import { getToken } from '../src/usecases/get-token.js';
import { EXEC_API_V1 } from '../src/exec/exec-info.js';
import type { Infrastructure } from '../src/infra/types.js';
import { testTempDir } from './helpers/cli.js';

test('the Keystone provider behind a fake HTTP port: one POST /auth/tokens?nocatalog, the token handed to kubectl', async () => {
  const home = testTempDir('kubecred-fake-http-');
  const requests: Array<{ url: string; body: unknown }> = [];
  const infra: Infrastructure = {
    clock: { now: Date.now },
    log: { info: () => {}, warn: () => {}, debug: () => {} },
    prompt: { available: false, secret: () => Promise.reject(new Error('no tty')), line: () => Promise.reject(new Error('no tty')) },
    browser: { open: () => Promise.reject(new Error('no browser')) },
    env: { HOME: home, OS_PASSWORD: 'pw-from-env' },
    stderrIsTTY: false,
    http: {
      fetcher: () => async (url, init) => {
        requests.push({ url: String(url), body: JSON.parse(String(init?.body)) });
        const expires = new Date(Date.now() + 3600_000).toISOString();
        return new Response(
          JSON.stringify({
            token: { expires_at: expires, methods: ['password'], user: { id: 'u1', name: 'alice' }, project: { id: 'p1', name: 'CMS' } },
          }),
          {
            status: 201,
            headers: { 'x-subject-token': 'gAAAA-fake-token', 'content-type': 'application/json' },
          },
        );
      },
    },
  };
  const argv = ['--auth-url=https://keystone.example/v3', '--username=alice', '--project-name=CMS', `--token-cache-dir=${join(home, 'c')}`];
  const r = await getToken(infra, {
    module: keystoneModule,
    modules: [keystoneModule],
    argv,
    execInfo: { apiVersion: EXEC_API_V1, interactive: false, absent: false },
  });
  assert.equal(JSON.parse(r.output).status.token, 'gAAAA-fake-token');
  assert.equal(requests.length, 1);
  assert.equal(requests[0]!.url, 'https://keystone.example/v3/auth/tokens?nocatalog');
  const auth = (requests[0]!.body as { auth: { identity: { methods: string[] }; scope: unknown } }).auth;
  assert.deepEqual(auth.identity.methods, ['password']);
  assert.deepEqual(auth.scope, { project: { name: 'CMS', domain: { name: 'Default' } } });
  assert.equal(r.entry.label, 'alice');
});
