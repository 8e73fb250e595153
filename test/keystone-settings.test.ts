// Keystone settings without a Keystone: flags + OS_* + clouds.yaml → settings, the cache key, and
// the exec args setup-context writes (whose key must not move when someone sources an openrc).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFlags } from '../src/exec/flags.js';
import { UsageError } from '../src/shared/errors.js';
import { cacheKey } from '../src/store/cache-key.js';
import { keystoneGetTokenFlags } from '../src/providers/keystone/flags.js';
import { keystoneIdentity } from '../src/providers/keystone/identity.js';
import { keystoneSettings, normalizeAuthUrl } from '../src/providers/keystone/settings.js';
import { parseKeystoneTime } from '../src/providers/keystone/client.js';
import { applicationCredentialArgs, execArgs, namespaceForProject, passwordArgs } from '../src/providers/keystone/setup-plan.js';

/** What setup-context writes for these flags, and the key get-token computes from it in `env`. */
function execPlan(flagArgs: string[], env: Record<string, string | undefined>) {
  const { args, env: execEnv } = execArgs(flagArgs);
  const merged = { ...env, ...Object.fromEntries(execEnv.map((e) => [e.name, e.value])) };
  return { args: ['get-token', 'keystone', ...args], env: execEnv, key: keyOf(args, merged) };
}
import { invocationFromExec } from '../src/usecases/context-invocation.js';
import { testTempDir } from './helpers/cli.js';

const settingsOf = (argv: string[], env: Record<string, string> = {}) =>
  keystoneSettings(parseFlags(keystoneGetTokenFlags, argv, env).values, env);
const keyOf = (argv: string[], env: Record<string, string | undefined> = {}) =>
  cacheKey(keystoneIdentity(parseFlags(keystoneGetTokenFlags, argv, env).values));

test('secrets as flags are refused with the way to give them instead', () => {
  assert.throws(
    () => settingsOf(['--auth-url=https://ks/v3', '--username=a', '--password=x']),
    (e: Error) => e instanceof UsageError && /--password is refused.*OS_PASSWORD/.test(e.message) && !e.message.includes('=x'),
  );
  assert.throws(
    () => settingsOf(['--auth-url=https://ks/v3', '--application-credential-id=i', '--application-credential-secret=s']),
    /OS_APPLICATION_CREDENTIAL_SECRET/,
  );
});

test('auth URL: /v3 added to a bare endpoint, kept otherwise; not a URL is a usage error', () => {
  assert.equal(normalizeAuthUrl('https://keystone.cloudveneto.it:5000'), 'https://keystone.cloudveneto.it:5000/v3');
  assert.equal(normalizeAuthUrl('https://ks:5000/v3/'), 'https://ks:5000/v3');
  assert.equal(normalizeAuthUrl('https://cloud.example/identity'), 'https://cloud.example/identity/v3');
  assert.throws(() => normalizeAuthUrl('keystone:5000'), UsageError);
  assert.throws(() => normalizeAuthUrl('https://u:p@ks/v3'), /must not contain/);
});

test('domains: user domain defaults to Default, project domain to the user domain; client-keystone-auth --domain-name sets both', () => {
  const s = settingsOf(['--auth-url=https://ks/v3', '--username=alice', '--project-name=CMS']);
  assert.deepEqual(s.user, { name: 'alice', domain: { name: 'Default' } });
  assert.deepEqual(s.project, { name: 'CMS', domain: { name: 'Default' } });
  const cka = settingsOf(['--keystone-url=https://ks:5000', '--user-name=alice', '--domain-name=cloudveneto', '--project-name=CMS']);
  assert.equal(cka.authUrl, 'https://ks:5000/v3');
  assert.deepEqual(cka.user, { name: 'alice', domain: { name: 'cloudveneto' } });
  assert.deepEqual(cka.project, { name: 'CMS', domain: { name: 'cloudveneto' } });
  const env = settingsOf([], {
    OS_AUTH_URL: 'https://ks/v3',
    OS_USERNAME: 'alice',
    OS_USER_DOMAIN_NAME: 'cloudveneto',
    OS_PROJECT_ID: 'p1',
  });
  assert.deepEqual(env.project, { id: 'p1' });
  assert.throws(() => settingsOf(['--auth-url=https://ks/v3']), /who logs in/);
  assert.throws(() => settingsOf(['--username=alice']), /--auth-url/);
});

test('clouds.yaml + secure.yaml: merged, flags win, application credential by name needs its user', () => {
  const dir = testTempDir('kubecred-clouds-');
  writeFileSync(
    join(dir, 'clouds.yaml'),
    'clouds:\n  cv:\n    auth:\n      auth_url: https://ks:5000\n      username: alice\n      project_name: CMS\n      user_domain_name: cloudveneto\n    verify: false\n  ac:\n    auth_type: v3applicationcredential\n    auth:\n      auth_url: https://ks:5000/v3\n      application_credential_id: app1\n',
  );
  writeFileSync(
    join(dir, 'secure.yaml'),
    'clouds:\n  cv:\n    auth:\n      password: "s3cret"\n  ac:\n    auth:\n      application_credential_secret: "acs"\n',
  );
  const env = { OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml'), OS_CLIENT_SECURE_FILE: join(dir, 'secure.yaml'), HOME: dir };
  const cv = settingsOf(['--os-cloud=cv'], env);
  assert.equal(cv.authUrl, 'https://ks:5000/v3');
  assert.deepEqual(cv.project, { name: 'CMS', domain: { name: 'cloudveneto' } });
  assert.equal(cv.insecure, true);
  assert.equal(cv.cloud?.password, 's3cret');
  assert.deepEqual(settingsOf(['--os-cloud=cv', '--project-id=p9'], env).project, { id: 'p9' }, 'a flag replaces the cloud project');
  const ac = settingsOf(['--os-cloud=ac'], env);
  assert.deepEqual(ac.applicationCredential, { id: 'app1' });
  assert.equal(ac.cloud?.applicationCredentialSecret, 'acs');
  assert.throws(() => settingsOf(['--os-cloud=nope'], env), /has no cloud named "nope"/);
  assert.throws(() => settingsOf(['--auth-url=https://ks/v3', '--application-credential-name=k']), /needs the owner/);
  writeFileSync(join(dir, 'bad.yaml'), 'clouds:\n  cv: [password: "leak\n');
  assert.throws(
    () => settingsOf(['--os-cloud=cv'], { ...env, OS_CLIENT_CONFIG_FILE: join(dir, 'bad.yaml') }),
    (e: Error) => /not valid YAML/.test(e.message) && !e.message.includes('leak'),
  );
});

test('identity: an application credential ID alone names the identity; user and project around it do not count', () => {
  const alone = keyOf(['--auth-url=https://ks/v3', '--application-credential-id=app1']);
  assert.equal(
    keyOf(['--auth-url=https://ks/v3', '--application-credential-id=app1'], { OS_USERNAME: 'bob', OS_PROJECT_NAME: 'X' }),
    alone,
  );
  assert.notEqual(keyOf(['--auth-url=https://ks/v3', '--application-credential-id=app2']), alone);
  assert.notEqual(
    keyOf(['--auth-url=https://ks/v3', '--username=alice', '--project-name=CMS']),
    keyOf(['--auth-url=https://ks/v3', '--username=alice', '--project-name=ATLAS']),
  );
});

test('setup exec args: a sourced openrc for another project changes neither the key nor the project', () => {
  const s = settingsOf(['--auth-url=https://ks/v3', '--username=alice', '--user-domain-name=cloudveneto', '--project-name=CMS']);
  const clean = execPlan(passwordArgs(s), {});
  assert.deepEqual(clean.args, [
    'get-token',
    'keystone',
    '--auth-url=https://ks/v3',
    '--username=alice',
    '--user-domain-name=cloudveneto',
    '--project-name=CMS',
    '--project-domain-name=cloudveneto',
  ]);
  const openrc = {
    OS_PROJECT_ID: 'atlas-id',
    OS_PROJECT_DOMAIN_ID: 'default',
    OS_USER_DOMAIN_ID: 'default',
    OS_APPLICATION_CREDENTIAL_ID: 'other',
    OS_CLOUD: 'x',
    OS_PASSWORD: 'pw',
  };
  // What kubectl does: exec.env over its own environment; then what kubecred derives from it.
  const inv = invocationFromExec('cms', { command: 'kubecred', args: clean.args, env: clean.env }, openrc);
  const { values } = parseFlags(keystoneGetTokenFlags, inv.argv, inv.env);
  assert.equal(cacheKey(keystoneIdentity(values)), clean.key);
  assert.deepEqual(keystoneSettings(values, inv.env).project, { name: 'CMS', domain: { name: 'cloudveneto' } });
  assert.equal(execPlan(passwordArgs(s), openrc).key, clean.key, 'setup run in that shell stores under the same key');
  assert.ok(!clean.env.some((e) => e.value !== ''), 'only blanks, never a value');

  const ac = execPlan(applicationCredentialArgs(s, 'app1'), {});
  assert.deepEqual(ac.env, [{ name: 'OS_CLOUD', value: '' }]);
  assert.equal(ac.key, keyOf(['--auth-url=https://ks/v3', '--application-credential-id=app1']));
});

test('namespace from the project name, lowercased; Keystone times with microseconds', () => {
  assert.equal(namespaceForProject('CMS'), 'cms');
  assert.equal(namespaceForProject('LHCb_Analysis 2'), 'lhcb-analysis-2');
  assert.equal(namespaceForProject('___'), undefined);
  assert.equal(parseKeystoneTime('2026-11-21T11:47:48.123456Z').toISOString(), '2026-11-21T11:47:48.123Z');
  assert.throws(() => parseKeystoneTime('soon'));
});
