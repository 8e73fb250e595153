// `kubecred setup-context keystone` against a real Keystone, then the real kubectl: the three ways
// to keep (or not keep) the password, clouds.yaml, and failures that write nothing. Secrets are
// hunted everywhere they must not be: the kubeconfig, the cache dir outside the secret store,
// output, and the argv of every process on the machine while the test runs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { keystoneSkip, requireKeystone } from './fixtures/keystone.js';
import { requireKubectl } from './fixtures/kubectl.js';
import { kubecredBin } from './helpers/cli.js';
import { loggedArgv, newHome, setupArgs, startRig, type Home, type Rig } from './helpers/keystone/rig.js';
import { filesContaining, watchArgv } from './helpers/keystone/secrets.js';

const CMS = (_rig: Rig) => ['--username', 'alice', '--user-domain', 'cloudveneto', '--project', 'CMS'];

function execOf(home: Home, user = 0): { args: string[]; env?: Array<{ name: string; value: string }> } {
  return parse(readFileSync(home.kubeconfig, 'utf8')).users[user].user.exec;
}

function assertNoSecretLeaks(home: Home, secrets: string[], outputs: string[]): void {
  assert.deepEqual(filesContaining(home.dir, secrets, [home.secretsDir]), [], 'no file outside the secret store holds a secret');
  for (const out of outputs) for (const s of secrets) assert.ok(!out.includes(s), 'no output shows a secret');
  for (const argv of loggedArgv(home)) for (const s of secrets) assert.ok(!argv.join(' ').includes(s), 'exec argv holds no secret');
}

describe('setup-context keystone', { skip: keystoneSkip() }, () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig();
  });
  after(async () => {
    await rig?.close();
  });

  test('--password-stdin --remember-password: exact exec args, namespace cms, kubectl runs on the cached token', async (t) => {
    if (!requireKeystone(t) || !requireKubectl(t)) return;
    const home = newHome();
    const { alice } = rig.cv;
    const watch = watchArgv([alice.password]);
    rig.proxy.reset();
    const setup = await home.kubecred(
      setupArgs(rig, home, 'cms', [...CMS(rig), '--password-stdin', '--remember-password']),
      alice.password + '\n',
    );
    assert.equal(setup.code, 0, setup.stderr);
    assert.equal(rig.proxy.tokenIssues(), 1, 'setup authenticates exactly once');
    const exec = execOf(home);
    assert.deepEqual(exec.args.slice(0, 2), ['get-token', 'keystone']);
    assert.deepEqual(exec.args.slice(2), [
      `--auth-url=${rig.proxy.url}`,
      '--username=alice',
      '--user-domain-name=cloudveneto',
      '--project-name=CMS',
      '--project-domain-name=cloudveneto',
    ]);
    assert.ok(
      exec.env?.some((e) => e.name === 'OS_PROJECT_ID' && e.value === ''),
      'a sourced openrc cannot re-scope the context',
    );
    const kc = parse(readFileSync(home.kubeconfig, 'utf8'));
    assert.equal(kc.contexts[0].context.namespace, 'cms', "CloudVeneto's namespace: the project name lowercased");
    assert.equal(home.storedSecret('password'), alice.password, 'remembered in the secret store');

    rig.proxy.reset();
    rig.api.resetRequests();
    const got = await home.kubectl(['--context', 'cms', 'get', 'secrets']);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(rig.proxy.tokenIssues(), 0, 'the token setup obtained is cached');
    const seen = rig.api.requests.find((r) => r.path === '/api/v1/namespaces/cms/secrets');
    assert.equal(seen?.user?.username, 'alice', 'in namespace cms, as alice');
    assert.ok(seen?.user?.groups.includes(rig.cv.project.id), 'scoped to CMS');

    home.expireCache();
    rig.proxy.reset();
    const again = await home.kubectl(['--context', 'cms', 'get', 'secrets']);
    assert.equal(again.code, 0, again.stderr);
    assert.equal(rig.proxy.tokenIssues(), 1, 'the remembered password gets a new token without a person');

    const { hits, samples } = watch.stop();
    assert.ok(samples > 1);
    assert.deepEqual(hits, [], 'no process ever had the password in its argv');
    assert.ok(loggedArgv(home).length >= 1, 'kubectl ran kubecred through the logging wrapper');
    assertNoSecretLeaks(home, [alice.password], [setup.stdout, setup.stderr, got.stderr, again.stderr]);
  });

  test('the cache flags of get-token keystone are setup-context flags too, written into the exec args', async (t) => {
    if (!requireKeystone(t) || !requireKubectl(t)) return;
    const home = newHome();
    const cacheDir = join(home.dir, 'other-cache');
    const setup = await home.kubecred(
      setupArgs(rig, home, 'cms-cache', [
        ...CMS(rig),
        '--password-stdin',
        '--remember-password',
        '--token-cache-storage',
        'disk',
        '--min-validity',
        '30s',
        `--token-cache-dir=${cacheDir}`,
      ]),
      rig.cv.alice.password + '\n',
    );
    assert.equal(setup.code, 0, setup.stderr);
    const exec = execOf(home);
    assert.deepEqual(exec.args.slice(-3), ['--min-validity=30s', `--token-cache-dir=${cacheDir}`, '--token-cache-storage=disk']);
    const entries = readdirSync(cacheDir).filter((n) => n.endsWith('.json'));
    assert.equal(entries.length, 1, 'the warm token went to the chosen cache dir');
    rig.proxy.reset();
    const got = await home.kubectl(['--context', 'cms-cache', 'get', 'secrets']);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(rig.proxy.tokenIssues(), 0, 'served from the chosen cache dir');
  });

  test('the terminal prompt: setup asks, nothing is kept, kubectl asks again when the token expires', async (t) => {
    if (!requireKeystone(t) || !requireKubectl(t)) return;
    const home = newHome();
    const { alice } = rig.cv;
    const asked = { prompt: /Keystone password for user alice in domain cloudveneto/, text: alice.password };
    const setup = await home.pty([process.execPath, kubecredBin, ...setupArgs(rig, home, 'cv-tty', CMS(rig))], [asked]);
    assert.equal(setup.code, 0, setup.output);
    assert.match(setup.output, /your password is not kept/);
    assert.equal(existsSync(home.secretsDir) ? readdirSync(home.secretsDir).length : 0, 0, 'no secret stored');
    assert.deepEqual(filesContaining(home.dir, [alice.password]), [], 'the password is nowhere on disk');

    home.expireCache();
    rig.proxy.reset();
    const unattended = await home.kubectl(['--context', 'cv-tty', 'get', 'namespaces']);
    assert.notEqual(unattended.code, 0);
    assert.match(
      unattended.stderr,
      /kubecred: Keystone needs the password of user alice in domain cloudveneto and kubectl gave no terminal to ask on: run kubecred login --context cv-tty/,
    );
    assert.equal(rig.proxy.tokenIssues(), 0, 'nothing to send without a password');

    const onTerminal = await home.pty([process.env.KUBECTL || 'kubectl', '--context', 'cv-tty', 'get', 'namespaces'], [asked]);
    assert.equal(onTerminal.code, 0, onTerminal.output);
    assert.match(onTerminal.output, /kube-system/);
    assert.equal(rig.proxy.tokenIssues(), 1);

    home.expireCache();
    const login = await home.pty([process.execPath, kubecredBin, 'login', '--context', 'cv-tty'], [asked]);
    assert.equal(login.code, 0, login.output);
    assert.match(login.output, /logged in to context cv-tty as alice/);
    assertNoSecretLeaks(home, [alice.password], [setup.output, unattended.stderr, onTerminal.output, login.output]);
  });

  test('--create-application-credential: only its ID in the kubeconfig, its secret in the store, the password nowhere', async (t) => {
    if (!requireKeystone(t) || !requireKubectl(t)) return;
    const home = newHome();
    const { alice } = rig.cv;
    const setup = await home.kubecred(
      setupArgs(rig, home, 'cv-ac', [...CMS(rig), '--password-stdin', '--create-application-credential']),
      alice.password,
    );
    assert.equal(setup.code, 0, setup.stderr);
    const listed = await rig.ks.api('GET', `/users/${alice.id}/application_credentials?name=kubecred-cv-ac`);
    const cred = listed.body.application_credentials[0];
    assert.equal(cred?.project_id, rig.cv.project.id);
    assert.deepEqual(execOf(home).args.slice(2), [`--auth-url=${rig.proxy.url}`, `--application-credential-id=${cred.id}`]);
    const secret = home.storedSecret('application_credential_secret');
    assert.ok(secret && secret.length > 20);
    assert.equal(home.storedSecret('password'), undefined);
    assert.deepEqual(filesContaining(home.dir, [alice.password]), [], 'the password is nowhere on disk');

    home.expireCache();
    rig.proxy.reset();
    const got = await home.kubectl(['--context', 'cv-ac', 'get', 'secrets']);
    assert.equal(got.code, 0, got.stderr);
    assert.equal(rig.proxy.tokenIssues(), 1);
    const token = home.cacheEntries()[0]!.entry.credential.token as string;

    const plain = await home.kubecred(['logout', '--context', 'cv-ac']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, /revoked the Keystone token of alice/);
    assert.match(plain.stdout, /kept application credential .* add --delete-application-credential/);
    assert.equal(await rig.ks.tokenValid(token), false, 'logout revokes the token at Keystone');
    rig.proxy.reset();
    const after = await home.kubectl(['--context', 'cv-ac', 'get', 'secrets']);
    assert.equal(after.code, 0, after.stderr);
    assert.equal(rig.proxy.tokenIssues(), 1, 'the kept credential gets a new token unattended');
    const token2 = home.cacheEntries()[0]!.entry.credential.token as string;

    const refused = await home.kubecred(['logout', '--context', 'cv-ac', '--delete-application-credential']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /needs your Keystone password .*OS_PASSWORD/);
    assert.equal(home.cacheEntries().length, 1, 'a refused logout changes nothing');

    const logout = await home.kubecred(['logout', '--context', 'cv-ac', '--delete-application-credential'], '', {
      OS_PASSWORD: alice.password,
    });
    assert.equal(logout.code, 0, logout.stderr);
    assert.match(logout.stdout, /revoked the Keystone token of alice/);
    assert.match(logout.stdout, /deleted application credential kubecred-cv-ac/);
    assert.match(logout.stdout, /removed the stored application credential secret/);
    assert.equal(
      (await rig.ks.api('GET', `/users/${alice.id}/application_credentials?name=kubecred-cv-ac`)).body.application_credentials.length,
      0,
    );
    assert.equal(await rig.ks.tokenValid(token2), false);
    assert.equal(home.cacheEntries().length, 0);
    assert.equal(home.storedSecret('application_credential_secret'), undefined);
    assertNoSecretLeaks(
      home,
      [alice.password, secret!],
      [setup.stdout, setup.stderr, got.stderr, plain.stdout, after.stderr, logout.stdout, logout.stderr],
    );
  });

  test('--os-cloud: clouds.yaml + secure.yaml from ~/.config/openstack, bare auth_url, --namespace wins', async (t) => {
    if (!requireKeystone(t) || !requireKubectl(t)) return;
    const home = newHome();
    const { alice } = rig.cv;
    const dir = join(home.dir, '.config', 'openstack');
    mkdirSync(dir, { recursive: true });
    const bare = rig.proxy.url.replace(/\/v3$/, '');
    writeFileSync(
      join(dir, 'clouds.yaml'),
      `clouds:\n  cloudveneto:\n    auth:\n      auth_url: ${bare}\n      username: alice\n      project_name: CMS\n      user_domain_name: cloudveneto\n      project_domain_name: cloudveneto\n    region_name: RegionOne\n`,
    );
    writeFileSync(join(dir, 'secure.yaml'), `clouds:\n  cloudveneto:\n    auth:\n      password: ${JSON.stringify(alice.password)}\n`);
    const setup = await home.kubecred(
      setupArgs(rig, home, 'cv-cloud', ['--os-cloud', 'cloudveneto', '--remember-password', '--namespace', 'physics'], { authUrl: false }),
    );
    assert.equal(setup.code, 0, setup.stderr);
    assert.deepEqual(execOf(home).args.slice(2), [
      `--auth-url=${rig.proxy.url}`,
      '--username=alice',
      '--user-domain-name=cloudveneto',
      '--project-name=CMS',
      '--project-domain-name=cloudveneto',
    ]);
    assert.equal(parse(readFileSync(home.kubeconfig, 'utf8')).contexts[0].context.namespace, 'physics');
    home.expireCache();
    const got = await home.kubectl(['--context', 'cv-cloud', 'get', 'secrets']);
    assert.equal(got.code, 0, got.stderr);

    const direct = await home.kubecred(['get-token', 'keystone', '--os-cloud', 'cloudveneto'], '', { KUBERNETES_EXEC_INFO: '' });
    assert.equal(direct.code, 0, direct.stderr);
    assert.match(JSON.parse(direct.stdout).status.token, /^gAAAA/);
  });

  test('wrong password, unknown project, Keystone down: one line, nothing written', async (t) => {
    if (!requireKeystone(t)) return;
    const { alice } = rig.cv;
    const cases: Array<{ extra: string[]; input: string; expect: RegExp; down?: boolean }> = [
      {
        extra: CMS(rig),
        input: 'not-the-password',
        expect: /refused the password \(from stdin\) for user alice in domain cloudveneto: wrong password/,
      },
      {
        extra: ['--username', 'alice', '--user-domain', 'cloudveneto', '--project', 'LHCb'],
        input: alice.password,
        expect:
          /user alice in domain cloudveneto cannot use project LHCb in domain cloudveneto: no such project, or no role on it \(yours: ATLAS, CMS\)/,
      },
      { extra: CMS(rig), input: alice.password, expect: /refused the connection/, down: true },
    ];
    for (const c of cases) {
      const home = newHome();
      if (c.down) await rig.proxy.down();
      try {
        const r = await home.kubecred(setupArgs(rig, home, 'broken', [...c.extra, '--password-stdin', '--remember-password']), c.input);
        assert.equal(r.code, 1, r.stderr);
        assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
        assert.match(r.stderr, c.expect);
        assert.ok(!r.stderr.includes(c.input));
        assert.equal(existsSync(home.kubeconfig), false, 'no kubeconfig written');
        assert.equal(existsSync(home.secretsDir), false, 'no secret stored');
      } finally {
        if (c.down) await rig.proxy.up();
      }
    }
  });
});
