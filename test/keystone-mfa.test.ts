// Keystone's harder answers, from a real Keystone: TOTP as a second factor (MFA rules
// [["password","totp"]], codes computed here), an expired password, and a remembered password that
// was changed in the meantime.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { keystoneSkip, requireKeystone } from './fixtures/keystone.js';
import { requireKubectl } from './fixtures/kubectl.js';
import { kubecredBin } from './helpers/cli.js';
import { newHome, setupArgs, startRig, type Rig } from './helpers/keystone/rig.js';
import { addTotpUser, totpCode } from './helpers/keystone/seed.js';

const kubectlBin = () => process.env.KUBECTL || 'kubectl';
const user = (name: string) => ['--username', name, '--user-domain', 'cloudveneto', '--project', 'CMS'];

describe('Keystone MFA and password trouble', { skip: keystoneSkip() }, () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig();
  });
  after(async () => {
    await rig?.close();
  });

  test('TOTP: asked on the terminal after the password; without a terminal one line; an application credential where the rules allow it', async (t) => {
    if (!requireKeystone(t) || !requireKubectl(t)) return;
    // The usual site policy: people need password + TOTP, application credentials stand alone.
    const dave = await addTotpUser(rig.ks, rig.cv, 'dave', [['password', 'totp'], ['application_credential']]);
    const password = { prompt: /Keystone password for user dave/, text: dave.password };
    const passcode = { prompt: /Keystone TOTP passcode: /, text: () => totpCode(dave.totpSecret) };
    const home = newHome();
    const setup = await home.pty(
      [process.execPath, kubecredBin, ...setupArgs(rig, home, 'cv-mfa', [...user('dave'), '--remember-password', '--use'])],
      [password, passcode],
    );
    assert.equal(setup.code, 0, setup.output);
    assert.equal(home.cacheEntries().length, 1);

    home.expireCache();
    const unattended = await home.kubectl(['get', 'secrets']);
    assert.notEqual(unattended.code, 0);
    assert.match(
      unattended.stderr,
      /kubecred: Keystone also wants a TOTP passcode for user dave in domain cloudveneto, and there is no terminal to ask on: run kubecred login --context cv-mfa/,
    );

    const wrong = await home.pty(
      [kubectlBin(), 'get', 'secrets'],
      [{ prompt: passcode.prompt, text: totpCode(dave.totpSecret, Date.now() - 3_600_000) }],
    );
    assert.notEqual(wrong.code, 0);
    assert.match(wrong.output, /Keystone refused the TOTP passcode for user dave/);

    const onTerminal = await home.pty([process.execPath, kubecredBin, 'login', '--context', 'cv-mfa'], [passcode]);
    assert.equal(onTerminal.code, 0, onTerminal.output);
    assert.match(onTerminal.output, /logged in to context cv-mfa as dave/);
    const got = await home.kubectl(['get', 'secrets']);
    assert.equal(got.code, 0, got.stderr);

    const acHome = newHome();
    const ac = await acHome.pty(
      [
        process.execPath,
        kubecredBin,
        ...setupArgs(rig, acHome, 'cv-mfa-ac', [...user('dave'), '--create-application-credential', '--use']),
      ],
      [password, passcode],
    );
    assert.equal(ac.code, 0, ac.output);
    acHome.expireCache();
    rig.proxy.reset();
    const unattendedAc = await acHome.kubectl(['get', 'secrets']);
    assert.equal(unattendedAc.code, 0, unattendedAc.stderr);
    assert.equal(rig.proxy.tokenIssues(), 1);
  });

  test('MFA rules that do not accept an application credential: setup says so and deletes the one it created', async (t) => {
    if (!requireKeystone(t)) return;
    const frank = await addTotpUser(rig.ks, rig.cv, 'frank');
    const home = newHome();
    const r = await home.pty(
      [process.execPath, kubecredBin, ...setupArgs(rig, home, 'cv-frank', [...user('frank'), '--create-application-credential'])],
      [
        { prompt: /Keystone password for user frank/, text: frank.password },
        { prompt: /Keystone TOTP passcode: /, text: () => totpCode(frank.totpSecret) },
      ],
    );
    assert.equal(r.code, 1, r.output);
    assert.match(r.output, /MFA rules for application credential \S+ do not accept an application credential alone: ask an administrator/);
    assert.equal(
      (await rig.ks.api('GET', `/users/${frank.id}/application_credentials`)).body.application_credentials.length,
      0,
      'nothing left behind',
    );
    assert.equal(existsSync(home.kubeconfig), false);
  });

  test('an expired password: setup and get-token say so and what to do', async (t) => {
    if (!requireKeystone(t) || !requireKubectl(t)) return;
    const carol = await rig.cv.addUser('carol');
    const home = newHome();
    const setup = await home.kubecred(
      setupArgs(rig, home, 'cv-carol', [...user('carol'), '--password-stdin', '--remember-password', '--use']),
      carol.password,
    );
    assert.equal(setup.code, 0, setup.stderr);
    await rig.ks.expirePassword(carol.id);
    home.expireCache();
    const got = await home.kubectl(['get', 'secrets']);
    assert.notEqual(got.code, 0);
    assert.match(
      got.stderr,
      /kubecred: the Keystone password of user carol in domain cloudveneto has expired: change it \(OpenStack dashboard, or openstack user password set\), then run kubecred login --context cv-carol/,
    );

    const again = newHome();
    const r = await again.kubecred(setupArgs(rig, again, 'cv-carol', [...user('carol'), '--password-stdin']), carol.password);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /has expired/);
    assert.equal(existsSync(again.kubeconfig), false);
  });

  test('a remembered password changed since: one line without a terminal; login asks and replaces it', async (t) => {
    if (!requireKeystone(t) || !requireKubectl(t)) return;
    const erin = await rig.cv.addUser('erin');
    const home = newHome();
    const setup = await home.kubecred(
      setupArgs(rig, home, 'cv-erin', [...user('erin'), '--password-stdin', '--remember-password', '--use']),
      erin.password,
    );
    assert.equal(setup.code, 0, setup.stderr);
    const changed = `${erin.password}-new`;
    assert.equal((await rig.ks.api('PATCH', `/users/${erin.id}`, { user: { password: changed } })).status, 200);
    home.expireCache();
    const got = await home.kubectl(['get', 'secrets']);
    assert.notEqual(got.code, 0);
    assert.match(
      got.stderr,
      /refused the password \(remembered in the secret store\) for user erin in domain cloudveneto: .*; if you changed it, run kubecred login --context cv-erin to type the new one/,
    );

    const login = await home.pty(
      [process.execPath, kubecredBin, 'login', '--context', 'cv-erin'],
      [{ prompt: /Keystone password for user erin/, text: changed }],
    );
    assert.equal(login.code, 0, login.output);
    assert.equal(home.storedSecret('password'), changed, 'the remembered password is the new one');
    home.expireCache();
    const after = await home.kubectl(['get', 'secrets']);
    assert.equal(after.code, 0, after.stderr);
  });
});
