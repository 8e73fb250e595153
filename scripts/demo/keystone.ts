// OpenStack Keystone (CloudVeneto CaaS): a real Keystone from Debian's `keystone` package, seeded
// like CloudVeneto (domain cloudveneto, project CMS, user alice), and an API server that validates
// Keystone tokens. setup-context keystone proves the password once and keeps an application
// credential instead; kubectl never asks for the password.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keystoneAvailable, startKeystone } from '../../test/fixtures/keystone.js';
import { startApiServer } from '../../test/fixtures/apiserver.js';
import { seedCloudVeneto } from '../../test/helpers/keystone/seed.js';
import { startCountingProxy } from '../../test/helpers/keystone/counting-proxy.js';
import type { DemoSession, DemoStep } from './session.js';

export const keystoneStep: DemoStep = {
  name: 'keystone',
  title: 'OpenStack Keystone: password proven once, then an application credential',
  inDefault: false,
  unavailable: async () =>
    keystoneAvailable()
      ? undefined
      : "Debian's keystone is not installed: add it with `apt-get install keystone` (as root) and run npm run demo -- --all again",
  async run(s: DemoSession) {
    s.note('starting Keystone (keystone-manage bootstrap with SQLite, keystone-wsgi-public)…');
    const ks = await startKeystone();
    s.onCleanup(() => ks.close());
    const cv = await seedCloudVeneto(ks);
    // kubecred talks to Keystone through a counting proxy, so the tour can say how often it asked.
    const proxy = await startCountingProxy(ks.url);
    s.onCleanup(() => proxy.close());
    const api = await startApiServer({ keystone: { authUrl: ks.url } });
    s.onCleanup(() => api.close());
    api.putSecret('cms', 'cms-db', { password: 'hunter2' });
    const caFile = join(s.home, 'keystone-cluster-ca.crt');
    writeFileSync(caFile, api.caPem);
    s.note(`Keystone ${proxy.url} (domain cloudveneto, project CMS, user alice), API server ${api.url}`);

    s.say('keystone 1. write cluster, user and context once (the password is piped, as from a password manager)');
    const args = [
      'setup-context',
      'keystone',
      '--context',
      'demo-keystone',
      '--server',
      api.url,
      '--certificate-authority',
      caFile,
      '--auth-url',
      proxy.url,
      '--username',
      cv.alice.name,
      '--user-domain',
      'cloudveneto',
      '--project',
      cv.project.name,
      '--password-stdin',
      '--create-application-credential',
    ];
    await s.kubecred('setup-context keystone', args, {
      input: `${cv.alice.password}\n`,
      shown: `kubecred ${args.join(' ').replace(caFile, 'keystone-cluster-ca.crt')} < alice-password.txt`,
    });
    s.contexts.push({ name: 'demo-keystone', provider: 'keystone', activity: () => ({ 'Keystone token requests': proxy.tokenIssues() }) });

    s.say('keystone 2. kubectl (namespace cms, from project CMS): the token setup-context obtained is already cached');
    const before = proxy.tokenIssues();
    await s.kubectlRun('kubectl (keystone)', ['--context', 'demo-keystone', 'get', 'secrets']);
    s.note(`Keystone token requests during the kubectl command: ${proxy.tokenIssues() - before}`);
  },
};
