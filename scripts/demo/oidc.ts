// OIDC: a local IdP (oidc-provider, configured like Keycloak) and an API server that trusts it.
// setup-context oidc once; the first kubectl logs in through the browser, the next is a cache hit.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startIdp, completeLoginAndFollow } from '../../test/fixtures/idp.js';
import { startApiServer } from '../../test/fixtures/apiserver.js';
import { startLoginHelper } from './browser.js';
import type { DemoSession, DemoStep } from './session.js';

export const oidcStep: DemoStep = {
  name: 'oidc',
  title: 'OIDC: browser login (authorization code + PKCE) at a Keycloak-like IdP',
  inDefault: true,
  unavailable: async () => undefined,
  async run(s: DemoSession) {
    const idp = await startIdp({});
    s.onCleanup(() => idp.close());
    const api = await startApiServer({
      oidc: { issuerUrl: idp.issuer, clientId: idp.publicClientId, usernameClaim: 'email', groupsClaim: 'groups' },
    });
    s.onCleanup(() => api.close());
    api.putSecret('team-a', 'db-password', { password: 'hunter2' });
    const caFile = join(s.home, 'oidc-cluster-ca.crt');
    writeFileSync(caFile, api.caPem);
    const helper = await startLoginHelper(s, new URL(idp.issuer).origin, async (url) => {
      await completeLoginAndFollow(url, { username: 'alice', password: 'alice-password' });
      return 'alice';
    });
    s.note(`local IdP ${idp.issuer}, API server ${api.url}`);
    if (!helper.browserCommand) s.note('--browser: log in as alice, password alice-password, in the browser that opens');

    s.say('oidc 1. write cluster, user and context once');
    await s.kubecred(
      'setup-context oidc',
      [
        'setup-context',
        'oidc',
        '--context',
        'demo-oidc',
        '--server',
        api.url,
        '--certificate-authority',
        caFile,
        '--issuer-url',
        idp.issuer,
        '--client-id',
        idp.publicClientId,
        '--extra-scope',
        'email,groups',
        '--namespace',
        'team-a',
        ...(helper.browserCommand ? ['--browser-command', helper.browserCommand] : []),
        '--use',
      ],
      helper.browserCommand
        ? {
            shown: `kubecred setup-context oidc --context demo-oidc --server ${api.url} --certificate-authority oidc-cluster-ca.crt --issuer-url ${idp.issuer} --client-id ${idp.publicClientId} --extra-scope email,groups --namespace team-a --browser-command '<demo login helper>' --use`,
          }
        : {},
    );
    s.contexts.push({
      name: 'demo-oidc',
      provider: 'oidc',
      activity: () => ({ 'IdP token requests': idp.counts.token, 'browser logins': helper.logins }),
    });

    s.say('oidc 2. the first kubectl command logs in (the demo login helper fills in the IdP page)');
    await s.kubectlRun('first kubectl', ['get', 'secrets']);

    s.say('oidc 3. the next one is answered from the cache: no IdP request');
    const before = idp.counts.token;
    await s.kubectlRun('second kubectl', ['get', 'secret', 'db-password', '-o', 'name']);
    s.note(`IdP token requests during the second command: ${idp.counts.token - before}`);
  },
};
