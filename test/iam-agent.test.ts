// `--oidc-agent-account`: the real oidc-agent, with an account made by oidc-gen's password flow
// against the IAM-like IdP, serves setup-context and kubectl; the token is cached like any other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireKubectl } from './fixtures/kubectl.js';
import { agentClientMetadata, oidcAgentInstalled, startOidcAgent } from './fixtures/oidc-agent.js';
import { AUDIENCE, SECRET_VALUE, startIamRig } from './helpers/iam/rig.js';

test("setup-context iam --oidc-agent-account: kubectl reads a Secret with the agent's token for the audience, then from the cache", async (t) => {
  if (!requireKubectl(t)) return;
  if (!oidcAgentInstalled()) {
    t.skip('oidc-agent is not installed');
    return;
  }
  const rig = await startIamRig({ idp: { clients: [agentClientMetadata] } });
  t.after(() => rig.close());
  const agent = await startOidcAgent(rig.home, rig.idp.issuer, 'infn');
  t.after(() => agent.close());
  const env = { OIDC_SOCK: agent.socket };

  const setup = await rig.setup('cms', ['--audience', AUDIENCE, '--oidc-agent-account', 'infn'], { env });
  assert.equal(setup.code, 0, setup.stderr);
  assert.match(setup.stdout, /oidc-agent's account infn works: logged in as alice/);
  assert.equal(rig.idp.counts.registration, 0, 'the agent has its own client');
  assert.equal(rig.browserCalls(), 0, 'no device login');
  assert.ok(!readFileSync(rig.kubeconfig, 'utf8').includes('--client-id'), 'no client in the exec args');

  rig.idp.resetCounts();
  const first = await rig.readSecret('cms', env);
  assert.equal(first.value, SECRET_VALUE, first.stderr);
  assert.equal(rig.idp.counts.token, 0, 'the token setup-context got is cached');

  rig.expireCachedTokens();
  const second = await rig.readSecret('cms', env);
  assert.equal(second.value, SECRET_VALUE, second.stderr);
  // The agent still holds an unexpired token for the audience: it answers without asking the IdP.
  assert.ok(rig.idp.counts.token <= 1);
  assert.ok(rig.idp.tokenRequests.every((r) => r.audience === AUDIENCE));

  const list = await rig.kubecred(['cache', 'list']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /iam/);
  assert.match(
    list.stdout,
    new RegExp(`alice @ ${rig.idp.issuer.replace(/[.]/g, '\\.')}.*audience ${AUDIENCE} via oidc-agent account infn`),
  );
  const logout = await rig.kubecred(['logout', '--context', 'cms'], { env });
  assert.equal(logout.code, 0, logout.stderr);
  assert.match(logout.stdout, /oidc-agent keeps account infn's tokens: unload it with oidc-add -r infn/);

  const unknown = await rig.kubecred(
    ['get-token', 'iam', '--issuer-url', rig.idp.issuer, '--oidc-agent-account', 'nobody', '--audience', AUDIENCE],
    { env },
  );
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /oidc-agent has no account "nobody" loaded .*oidc-add nobody/);
  assert.equal(unknown.stdout, '');

  const none = await rig.kubecred(['get-token', 'iam', '--issuer-url', rig.idp.issuer, '--oidc-agent-account', 'infn'], {
    env: { OIDC_SOCK: join(rig.home, 'gone.sock') },
  });
  assert.equal(none.code, 1);
  assert.match(none.stderr, /no oidc-agent is listening at OIDC_SOCK=/);
  assert.equal(none.stderr.trim().split('\n').length, 1);
  assert.ok(existsSync(rig.kubeconfig));
});
