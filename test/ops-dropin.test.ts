// Drop-in flags: an exec line written for kubelogin or client-keystone-auth keeps working when only
// the command is swapped. The parser is the one the fast path uses, so the cache key agrees too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags, splitPairs } from '../src/exec/flags.js';
import { oidcGetTokenFlags } from '../src/providers/oidc/flags.js';
import { keystoneGetTokenFlags } from '../src/providers/keystone/flags.js';
import { oidcIdentity } from '../src/providers/oidc/identity.js';
import { cacheKey } from '../src/store/cache-key.js';
import { testTempDir } from './helpers/cli.js';

const base = ['--oidc-issuer-url=https://idp.example', '--oidc-client-id=kubernetes'];
const keyOf = (argv: string[]) => cacheKey(oidcIdentity(parseFlags(oidcGetTokenFlags, argv).values));

test('klog verbosity -v1, -v 1, --v=N means -v; --v=0 does not; other klog flags are accepted and ignored', () => {
  for (const argv of [['-v1'], ['-v', '1'], ['--v=4'], ['-v=2'], ['--v', '3'], ['-v']]) {
    const { values, positionals } = parseFlags(oidcGetTokenFlags, [...base, ...argv]);
    assert.equal(values.verbose, true, argv.join(' '));
    assert.deepEqual(positionals, []);
  }
  assert.equal(parseFlags(oidcGetTokenFlags, [...base, '--v=0']).values.verbose, false);
  const { values, positionals } = parseFlags(oidcGetTokenFlags, [
    ...base,
    '--logtostderr',
    '--vmodule',
    'x=2',
    '--log_dir=/tmp',
    '--alsologtostderr=false',
    '--stderrthreshold',
    'INFO',
  ]);
  assert.deepEqual(positionals, []);
  assert.equal(values['issuer-url'], 'https://idp.example');
  assert.equal(keyOf([...base, '--logtostderr', '-v1']), keyOf(base), 'logging flags do not change the cache key');
});

test('--oidc-request-header and --oidc-auth-request-extra-params read several k=v pairs as kubelogin (pflag StringToString) does', () => {
  const { values } = parseFlags(oidcGetTokenFlags, [
    ...base,
    '--oidc-auth-request-extra-params=prompt=consent,audience=k8s',
    '--oidc-request-header',
    'X-A=1,X-B=2',
  ]);
  assert.deepEqual(values['auth-request-extra-param'], ['prompt=consent', 'audience=k8s']);
  assert.deepEqual(values['request-header'], ['X-A=1', 'X-B=2']);
  assert.deepEqual(splitPairs('acr_values=a,b'), ['acr_values=a,b'], 'a comma inside one value stays');
  assert.equal(
    keyOf([...base, '--oidc-auth-request-extra-params=a=1,b=2']),
    keyOf([...base, '--oidc-auth-request-extra-params=b=2', '--oidc-auth-request-extra-params=a=1']),
  );
});

test('client-keystone-auth underscore spellings (--user_name, --domain_name, --keystone_url)', () => {
  const { values } = parseFlags(keystoneGetTokenFlags, [
    '--keystone_url=https://ks:5000/v3',
    '--user_name=alice',
    '--domain_name=cloudveneto',
    '--project_name=cms',
  ]);
  assert.equal(values['auth-url'], 'https://ks:5000/v3');
  assert.equal(values.username, 'alice');
  assert.equal(values['domain-name'], 'cloudveneto');
  assert.equal(values['project-name'], 'cms');
});

test('client-keystone-auth: --cert/--key and OS_CERT/OS_KEY, OS_DEFAULT_DOMAIN, a domain-scoped token from OS_DOMAIN_NAME alone, --password refused naming convert-kubeconfig', async () => {
  const { keystoneSettings, scopeOf } = await import('../src/providers/keystone/settings.js');
  const { keystoneIdentity } = await import('../src/providers/keystone/identity.js');
  const parse = (argv: string[], env: Record<string, string> = {}) => parseFlags(keystoneGetTokenFlags, argv, env).values;
  const fromEnv = parse(['--keystone-url=https://ks:5000'], {
    OS_USERNAME: 'alice',
    OS_CERT: '/c.pem',
    OS_KEY: '/k.pem',
    OS_DEFAULT_DOMAIN: 'cloudveneto',
    OS_PROJECT_NAME: 'cms',
  });
  const s = keystoneSettings(fromEnv, {});
  assert.deepEqual(s.clientCert, { certFile: '/c.pem', keyFile: '/k.pem' });
  assert.deepEqual(s.user, { name: 'alice', domain: { name: 'cloudveneto' } });
  assert.deepEqual(s.project, { name: 'cms', domain: { name: 'cloudveneto' } });
  assert.throws(
    () => keystoneSettings(parse(['--auth-url=https://ks/v3', '--username=a', '--cert=/c.pem']), {}),
    /--cert and --key go together/,
  );

  const domainOnly = keystoneSettings(parse(['--auth-url=https://ks/v3'], { OS_USERNAME: 'alice', OS_DOMAIN_NAME: 'cloudveneto' }), {});
  assert.equal(domainOnly.project, undefined);
  assert.deepEqual(scopeOf(domainOnly), { domain: { name: 'cloudveneto' }, domainOnly: true });
  const k1 = cacheKey(keystoneIdentity(parse(['--auth-url=https://ks/v3', '--username=alice', '--domain-name=cloudveneto'])));
  const k2 = cacheKey(keystoneIdentity(parse(['--auth-url=https://ks/v3', '--username=alice', '--user-domain-name=cloudveneto'])));
  assert.notEqual(k1, k2, 'a domain-scoped token is another credential than an unscoped one');

  assert.throws(
    () => keystoneSettings(parse(['--auth-url=https://ks/v3', '--username=a', '--password=x']), {}),
    /--password is refused: .*kubecred convert-kubeconfig moves a password out of an existing kubeconfig/,
  );
});

test('a TLS client certificate (--cert/--key) is presented to the server', async () => {
  const https = await import('node:https');
  const { createCa, writePems } = await import('./fixtures/certs.js');
  const { createFetch } = await import('../src/infra/http.js');
  const ca = await createCa('ks-test');
  const serving = await ca.issueServerCert();
  const client = await ca.issueClientCert('alice');
  const server = https.createServer(
    { cert: serving.cert, key: serving.key, ca: ca.caPem, requestCert: true, rejectUnauthorized: true },
    (_req, res) => res.end('{"ok":true}'),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const dir = testTempDir('kubecred-cert-');
    const files = await writePems(dir, { 'ca.pem': ca.caPem, 'c.pem': client.cert, 'k.pem': client.key });
    const url = `https://127.0.0.1:${(server.address() as { port: number }).port}/v3`;
    const withCert = createFetch({
      caFiles: [files['ca.pem']!],
      clientCert: { certFile: files['c.pem']!, keyFile: files['k.pem']! },
      env: {},
    });
    assert.equal((await withCert(url)).status, 200);
    const without = createFetch({ caFiles: [files['ca.pem']!], env: {} });
    await assert.rejects(without(url));
  } finally {
    server.close();
    server.closeAllConnections();
  }
});
