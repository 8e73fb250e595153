// Drop-in flags: an exec line written for kubelogin or client-keystone-auth keeps working when only
// the command is swapped. The parser is the one the fast path uses, so the cache key agrees too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags, splitPairs } from '../src/exec/flags.js';
import { oidcGetTokenFlags } from '../src/providers/oidc/flags.js';
import { keystoneGetTokenFlags } from '../src/providers/keystone/flags.js';
import { oidcIdentity } from '../src/providers/oidc/identity.js';
import { cacheKey } from '../src/store/cache-key.js';

const base = ['--oidc-issuer-url=https://idp.example', '--oidc-client-id=kubernetes'];
const keyOf = (argv: string[]) => cacheKey(oidcIdentity(parseFlags(oidcGetTokenFlags, argv).values));

test('klog verbosity -v1, -v 1, --v=N means -v; --v=0 does not; other klog flags are accepted and ignored', () => {
  for (const argv of [['-v1'], ['-v', '1'], ['--v=4'], ['-v=2'], ['--v', '3'], ['-v']]) {
    const { values, positionals } = parseFlags(oidcGetTokenFlags, [...base, ...argv]);
    assert.equal(values.verbose, true, argv.join(' '));
    assert.deepEqual(positionals, []);
  }
  assert.equal(parseFlags(oidcGetTokenFlags, [...base, '--v=0']).values.verbose, false);
  const { values, positionals } = parseFlags(oidcGetTokenFlags, [...base, '--logtostderr', '--vmodule', 'x=2', '--log_dir=/tmp', '--alsologtostderr=false', '--stderrthreshold', 'INFO']);
  assert.deepEqual(positionals, []);
  assert.equal(values['issuer-url'], 'https://idp.example');
  assert.equal(keyOf([...base, '--logtostderr', '-v1']), keyOf(base), 'logging flags do not change the cache key');
});

test('--oidc-request-header and --oidc-auth-request-extra-params read several k=v pairs as kubelogin (pflag StringToString) does', () => {
  const { values } = parseFlags(oidcGetTokenFlags, [...base, '--oidc-auth-request-extra-params=prompt=consent,audience=k8s', '--oidc-request-header', 'X-A=1,X-B=2']);
  assert.deepEqual(values['auth-request-extra-param'], ['prompt=consent', 'audience=k8s']);
  assert.deepEqual(values['request-header'], ['X-A=1', 'X-B=2']);
  assert.deepEqual(splitPairs('acr_values=a,b'), ['acr_values=a,b'], 'a comma inside one value stays');
  assert.equal(keyOf([...base, '--oidc-auth-request-extra-params=a=1,b=2']), keyOf([...base, '--oidc-auth-request-extra-params=b=2', '--oidc-auth-request-extra-params=a=1']));
});

test('client-keystone-auth underscore spellings (--user_name, --domain_name, --keystone_url)', () => {
  const { values } = parseFlags(keystoneGetTokenFlags, ['--keystone_url=https://ks:5000/v3', '--user_name=alice', '--domain_name=cloudveneto', '--project_name=cms']);
  assert.equal(values['auth-url'], 'https://ks:5000/v3');
  assert.equal(values.username, 'alice');
  assert.equal(values['domain-name'], 'cloudveneto');
  assert.equal(values['project-name'], 'cms');
});
