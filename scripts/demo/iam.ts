// INDIGO IAM (CloudVeneto for INFN users): device flow with dynamic client registration. The IdP
// fixture is configured like IAM (issuer with a trailing slash, open registration, device flow
// without `interval`, `audience` mapped to a JWT access token); the API server trusts access tokens
// for that audience. setup-context iam registers a client once and logs in with the device code;
// the demo's login helper (./browser.ts) completes the device page kubecred opens with
// --browser-command. The device flow polls every 5 s (IAM sends no interval): this step takes a while.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startIamIdp } from '../../test/fixtures/idp-iam.js';
import { completeDeviceLogin } from '../../test/fixtures/idp-login.js';
import { startApiServer } from '../../test/fixtures/apiserver.js';
import { startLoginHelper } from './browser.js';
import type { DemoSession, DemoStep } from './session.js';
import { commandExists } from './commands.js';

/** The cluster's --oidc-client-id, which IAM access tokens must carry as `aud`. */
const AUDIENCE = 'cloudveneto-k8s';

export const iamStep: DemoStep = {
  name: 'iam',
  title: 'INDIGO IAM: device flow with dynamic client registration',
  inDefault: false,
  async unavailable() {
    if (!(await commandExists(['setup-context', 'iam']))) return 'this kubecred has no `setup-context iam` yet (issue 8)';
    return undefined;
  },
  async run(s: DemoSession) {
    const idp = await startIamIdp();
    s.onCleanup(() => idp.close());
    const api = await startApiServer({ oidc: { issuerUrl: idp.issuer, clientId: AUDIENCE, usernameClaim: 'sub', groupsClaim: 'groups' } });
    s.onCleanup(() => api.close());
    api.putSecret('cms', 'cms-iam-db', { password: 'hunter2' });
    const caFile = join(s.home, 'iam-cluster-ca.crt');
    writeFileSync(caFile, api.caPem);
    // The device page kubecred opens (verification_uri_complete: the user code is filled in).
    const helper = await startLoginHelper(s, new URL(idp.issuer).origin, async (url) => {
      await completeDeviceLogin(url, { username: 'alice', password: 'alice-password' });
      return 'alice';
    });
    s.note(`local IAM ${idp.issuer} (open client registration), API server ${api.url} (audience ${AUDIENCE})`);
    if (!helper.browserCommand)
      s.note('--browser: open the URL kubecred prints, log in as alice, password alice-password, and confirm the code');

    s.say('iam 1. write cluster, user and context once: kubecred registers a client at the IAM and logs in with a device code');
    const args = [
      'setup-context',
      'iam',
      '--context',
      'demo-iam',
      '--server',
      api.url,
      '--certificate-authority',
      caFile,
      '--issuer-url',
      idp.issuer,
      '--audience',
      AUDIENCE,
      '--namespace',
      'cms',
      ...(helper.browserCommand ? ['--browser-command', helper.browserCommand] : []),
    ];
    await s.kubecred('setup-context iam', args, {
      shown: `kubecred ${args
        .join(' ')
        .replace(caFile, 'iam-cluster-ca.crt')
        .replace(helper.browserCommand ?? '\0', "'<demo login helper>'")}`,
    });
    s.note(`clients registered at the IAM: ${idp.registeredClients().length}, device logins: ${helper.logins}`);
    s.contexts.push({
      name: 'demo-iam',
      provider: 'iam',
      activity: () => ({ 'IAM token requests': idp.counts.token, 'device logins': helper.logins }),
    });

    s.say('iam 2. kubectl uses the access token setup-context obtained (for audience ' + AUDIENCE + '): no IAM request');
    let before = idp.counts.token;
    await s.kubectlRun('first kubectl (iam)', ['--context', 'demo-iam', 'get', 'secrets']);
    s.note(`IAM token requests during the first command: ${idp.counts.token - before}`);

    s.say('iam 3. and again, from the cache');
    before = idp.counts.token;
    await s.kubectlRun('second kubectl (iam)', ['--context', 'demo-iam', 'get', 'secret', 'cms-iam-db', '-o', 'name']);
    s.note(`IAM token requests during the second command: ${idp.counts.token - before}`);
  },
};
