import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFlags, parseDuration, type FlagSpec } from '../src/exec/flags.js';
import { UsageError } from '../src/shared/errors.js';
import { oidcGetTokenFlags } from '../src/providers/oidc/flags.js';
import { keystoneGetTokenFlags } from '../src/providers/keystone/flags.js';
import { providerModules } from '../src/providers/registry.js';

const identityRules = Object.fromEntries(providerModules.map((m) => [m.kind, { flags: m.getTokenFlags, identity: m.identity }]));
import { cacheKey } from '../src/store/cache-key.js';

const specs: FlagSpec[] = [
  { name: 'issuer-url', type: 'string', aliases: ['oidc-issuer-url'], description: '' },
  { name: 'extra-scope', type: 'list', splitCommas: true, aliases: ['oidc-extra-scope'], description: '' },
  { name: 'skip', type: 'boolean', description: '' },
  { name: 'verbose', short: 'v', type: 'boolean', description: '' },
  { name: 'auth-url', type: 'string', env: ['OS_AUTH_URL'], description: '' },
  { name: 'legacy', type: 'boolean', ignored: true, description: '' },
];

test('parses = and space forms, aliases, repeats, comma lists and booleans', () => {
  const { values, positionals } = parseFlags(specs, [
    '--oidc-issuer-url=https://idp',
    '--extra-scope',
    'email,groups',
    '--oidc-extra-scope=profile',
    '--skip',
    '-v',
    '--legacy',
    'rest',
  ]);
  assert.deepEqual(values, { 'issuer-url': 'https://idp', 'extra-scope': ['email', 'groups', 'profile'], skip: true, verbose: true });
  assert.deepEqual(positionals, ['rest']);
  assert.equal(parseFlags(specs, ['--skip=false']).values.skip, false);
});

test('environment fills absent flags, flags win over it', () => {
  assert.equal(parseFlags(specs, [], { OS_AUTH_URL: 'https://ks/v3' }).values['auth-url'], 'https://ks/v3');
  assert.equal(parseFlags(specs, ['--auth-url=https://flag/v3'], { OS_AUTH_URL: 'https://ks/v3' }).values['auth-url'], 'https://flag/v3');
});

test('unknown flags, missing values and bad booleans are usage errors naming the flag', () => {
  assert.throws(
    () => parseFlags(specs, ['--nope']),
    (e: unknown) => e instanceof UsageError && /--nope/.test(e.message) && e.exitCode === 2,
  );
  assert.throws(() => parseFlags(specs, ['--issuer-url']), /--issuer-url needs a value/);
  assert.throws(() => parseFlags(specs, ['--skip=maybe']), /true or false/);
});

test('durations', () => {
  assert.equal(parseDuration('x', '90'), 90_000);
  assert.equal(parseDuration('x', '90s'), 90_000);
  assert.equal(parseDuration('x', '5m'), 300_000);
  assert.equal(parseDuration('x', '1h30m'), 5_400_000);
  assert.equal(parseDuration('x', '1500ms'), 1500);
  for (const bad of ['', 'soon', '5 m', '5d', 'm5', '5m!']) assert.throws(() => parseDuration('x', bad), UsageError, bad);
});

function keyOf(kind: string, argv: string[], env: Record<string, string> = {}): string {
  const rule = identityRules[kind]!;
  return cacheKey(rule.identity(parseFlags(rule.flags, argv, env).values));
}

test('OIDC cache key: flag order, spelling and scope order do not matter; identity does', () => {
  const a = keyOf('oidc', ['--issuer-url=https://idp/realms/x/', '--client-id=k8s', '--extra-scope=groups', '--extra-scope=email']);
  const b = keyOf('oidc', [
    '--oidc-extra-scope=email,groups',
    '--oidc-client-id',
    'k8s',
    '--oidc-issuer-url',
    'https://idp/realms/x',
    '--skip-open-browser',
  ]);
  assert.equal(a, b);
  assert.notEqual(a, keyOf('oidc', ['--issuer-url=https://idp/realms/x', '--client-id=k8s', '--extra-scope=groups']));
  assert.notEqual(
    a,
    keyOf('oidc', ['--issuer-url=https://idp/realms/x', '--client-id=k8s', '--extra-scope=groups,email', '--login-hint=bob']),
  );
  assert.notEqual(
    a,
    keyOf('oidc', ['--issuer-url=https://idp/realms/x', '--client-id=k8s', '--extra-scope=groups,email', '--use-access-token']),
  );
  assert.notEqual(a, keyOf('oidc', ['--issuer-url=https://idp/realms/x', '--client-id=other', '--extra-scope=groups,email']));
});

test('Keystone cache key: client-keystone-auth spellings and OS_* env reach the same key', () => {
  const flags = keyOf('keystone', [
    '--auth-url=https://ks:5000/v3',
    '--username=alice',
    '--user-domain-name=cloudveneto',
    '--project-name=CMS',
    '--project-domain-name=cloudveneto',
  ]);
  const cka = keyOf('keystone', [
    '--keystone-url=https://ks:5000/v3/',
    '--user-name=alice',
    '--domain-name=cloudveneto',
    '--project-name=CMS',
  ]);
  const env = keyOf('keystone', [], {
    OS_AUTH_URL: 'https://ks:5000/v3',
    OS_USERNAME: 'alice',
    OS_DOMAIN_NAME: 'cloudveneto',
    OS_PROJECT_NAME: 'CMS',
  });
  assert.equal(flags, cka);
  assert.equal(flags, env);
  assert.notEqual(
    flags,
    keyOf('keystone', ['--auth-url=https://ks:5000/v3', '--username=alice', '--domain-name=cloudveneto', '--project-name=ATLAS']),
  );
  assert.notEqual(flags, keyOf('keystone', ['--auth-url=https://ks:5000/v3', '--username=alice', '--project-name=CMS']), 'domain matters');
});

test('every flag table is unambiguous', () => {
  for (const table of [oidcGetTokenFlags, keystoneGetTokenFlags]) {
    const seen = new Set<string>();
    for (const f of table)
      for (const n of [f.name, ...(f.aliases ?? []), ...(f.short ? [f.short] : [])]) {
        assert.ok(!seen.has(n), `duplicate flag name ${n}`);
        seen.add(n);
      }
  }
});
