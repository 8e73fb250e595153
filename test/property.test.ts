// Property tests (fast-check): the cache key does not depend on how a command line is spelled; a
// kubeconfig upsert never disturbs the entries it was not about; the parsers of untrusted input
// (KUBERNETES_EXEC_INFO, argv) fail only with our own error types.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseFlags } from '../src/exec/flags.js';
import { UsageError } from '../src/shared/errors.js';
import { ExecInfoError, parseExecInfo } from '../src/exec/exec-info.js';
import { cacheKey } from '../src/store/cache-key.js';
import { oidcGetTokenFlags } from '../src/providers/oidc/flags.js';
import { oidcIdentity } from '../src/providers/oidc/identity.js';
import { keystoneGetTokenFlags } from '../src/providers/keystone/flags.js';
import { listNamed, parseKubeconfig, serializeKubeconfig, upsertNamed } from '../src/kubeconfig/document.js';
import { KubeconfigError } from '../src/kubeconfig/errors.js';
import type { NamedKind } from '../src/kubeconfig/types.js';

const RUNS = { numRuns: 200 };

// --- the cache key --------------------------------------------------------------------------

/** One identity's worth of settings, as a person would give them. */
const settings = fc.record({
  issuer: fc.constantFrom('https://idp.example/realms/a', 'https://idp.example/realms/a/', 'https://other.example'),
  clientId: fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/),
  scopes: fc.uniqueArray(fc.constantFrom('groups', 'email', 'profile', 'offline_access'), { maxLength: 4 }),
  username: fc.option(fc.stringMatching(/^[a-z]{1,8}$/), { nil: undefined }),
  useAccessToken: fc.boolean(),
});
type Settings = typeof settings extends fc.Arbitrary<infer T> ? T : never;

/** A spelling of one flag: canonical or kubelogin alias, `--f v` or `--f=v`. */
const spelling = fc.record({ alias: fc.boolean(), equals: fc.boolean() });
type Spelling = typeof spelling extends fc.Arbitrary<infer T> ? T : never;

function flag(name: string, alias: string | undefined, value: string | undefined, how: Spelling): string[] {
  const n = `--${how.alias && alias ? alias : name}`;
  if (value === undefined) return [n];
  return how.equals ? [`${n}=${value}`] : [n, value];
}

/** Renders settings as argv groups (each group one flag), spelled per `hows`, scopes in `scopeOrder`. */
function render(s: Settings, hows: Spelling[], scopeOrder: number[], commaScopes: boolean, noise: boolean): string[][] {
  const how = (i: number) => hows[i % hows.length]!;
  const groups: string[][] = [
    flag('issuer-url', 'oidc-issuer-url', s.issuer, how(0)),
    flag('client-id', 'oidc-client-id', s.clientId, how(1)),
  ];
  const scopes = scopeOrder.filter((i) => i < s.scopes.length).map((i) => s.scopes[i]!);
  if (commaScopes && scopes.length) groups.push(flag('extra-scope', 'oidc-extra-scope', scopes.join(','), how(2)));
  else scopes.forEach((scope, i) => groups.push(flag('extra-scope', 'oidc-extra-scope', scope, how(3 + i))));
  if (s.username) groups.push(flag('username', undefined, s.username, how(4)));
  if (s.useAccessToken) groups.push(flag('use-access-token', 'oidc-use-access-token', undefined, how(5)));
  // Flags that say how, not who: they must not change the key.
  if (noise) groups.push(['--request-timeout', '10s'], ['--skip-open-browser'], ['--authentication-timeout=60s']);
  return groups;
}

const keyOf = (argv: string[]) => cacheKey(oidcIdentity(parseFlags(oidcGetTokenFlags, argv, {}).values));

test('property: the cache key is invariant under flag order, alias spelling, = or space, comma or repeated scopes, and non-identity flags', () => {
  fc.assert(
    fc.property(
      settings,
      fc.array(spelling, { minLength: 1, maxLength: 8 }),
      fc.array(spelling, { minLength: 1, maxLength: 8 }),
      fc.array(fc.nat(3), { minLength: 4, maxLength: 4 }).map((a) => [...new Set([...a, 0, 1, 2, 3])]),
      fc.boolean(),
      fc.boolean(),
      fc.func(fc.integer()),
      (s, hows1, hows2, scopeOrder, comma, noise, shuffleKey) => {
        const plain = render(s, [{ alias: false, equals: false }], [0, 1, 2, 3], false, false).flat();
        const groups = render(s, hows2, scopeOrder, comma, noise);
        const shuffled = [...groups].sort((a, b) => shuffleKey(a.join(' ')) - shuffleKey(b.join(' '))).flat();
        assert.equal(keyOf(shuffled), keyOf(plain));
        assert.equal(keyOf(render(s, hows1, [3, 2, 1, 0], !comma, !noise).flat()), keyOf(plain));
      },
    ),
    RUNS,
  );
});

test('property: the cache key changes with who the token is for (client id, username, token type)', () => {
  fc.assert(
    fc.property(settings, fc.stringMatching(/^[a-z]{1,6}$/), (s, other) => {
      const base = keyOf(render(s, [{ alias: false, equals: false }], [0, 1, 2, 3], false, false).flat());
      fc.pre(other !== s.clientId);
      assert.notEqual(keyOf(render({ ...s, clientId: other }, [{ alias: false, equals: false }], [0, 1, 2, 3], false, false).flat()), base);
      assert.notEqual(
        keyOf(render({ ...s, useAccessToken: !s.useAccessToken }, [{ alias: false, equals: false }], [0, 1, 2, 3], false, false).flat()),
        base,
      );
    }),
    RUNS,
  );
});

// --- kubeconfig upsert ----------------------------------------------------------------------

const name = fc.stringMatching(/^[a-z][a-z0-9@.:_-]{0,10}$/);
const kinds: NamedKind[] = ['clusters', 'users', 'contexts'];

function entryFor(kind: NamedKind, seed: string): Record<string, unknown> {
  if (kind === 'clusters') return { server: `https://${seed}.example:6443`, 'insecure-skip-tls-verify': seed.length % 2 === 0 };
  if (kind === 'users')
    return {
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: 'kubecred',
        args: ['get-token', 'oidc', `--client-id=${seed}`],
        interactiveMode: 'IfAvailable',
      },
    };
  return { cluster: seed, user: seed, namespace: 'default' };
}

const kubeconfig = fc.record({
  clusters: fc.uniqueArray(name, { maxLength: 5 }),
  users: fc.uniqueArray(name, { maxLength: 5 }),
  contexts: fc.uniqueArray(name, { maxLength: 5 }),
});

function toYaml(cfg: Record<NamedKind, string[]>): string {
  const lines = ['apiVersion: v1', 'kind: Config', 'preferences: {}', "current-context: ''"];
  for (const kind of kinds) {
    lines.push(`${kind}:${cfg[kind].length ? '' : ' []'}`);
    const key = kind.slice(0, -1);
    for (const n of cfg[kind])
      lines.push(`- name: ${JSON.stringify(n)}`, `  # a comment about ${n}`, `  ${key}: ${JSON.stringify(entryFor(kind, n))}`);
  }
  return lines.join('\n') + '\n';
}

test('property: a kubeconfig upsert then read-back keeps every unrelated entry equivalent', () => {
  fc.assert(
    fc.property(kubeconfig, fc.constantFrom(...kinds), name, name, (cfg, kind, target, seed) => {
      const before = parseKubeconfig('/tmp/config', toYaml(cfg));
      const snapshot = Object.fromEntries(kinds.map((k) => [k, listNamed(before, k)]));
      upsertNamed(before, kind, target, entryFor(kind, `new-${seed}`) as never, { force: true });
      const after = parseKubeconfig('/tmp/config', serializeKubeconfig(before));
      for (const k of kinds) {
        const unrelated = (list: Array<{ name: string }>) => list.filter((e) => !(k === kind && e.name === target));
        assert.deepEqual(unrelated(listNamed(after, k)), unrelated(snapshot[k]!), `${k} other than ${target}`);
      }
      assert.deepEqual(listNamed(after, kind).find((e) => e.name === target)?.value, entryFor(kind, `new-${seed}`));
    }),
    RUNS,
  );
});

// --- parsers of untrusted input -------------------------------------------------------------

const execInfoText = fc.oneof(
  fc.string(),
  fc.json(),
  fc
    .record(
      {
        apiVersion: fc.oneof(fc.constantFrom('client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'), fc.anything()),
        kind: fc.oneof(fc.constant('ExecCredential'), fc.anything()),
        spec: fc.oneof(
          fc.anything(),
          fc.record(
            {
              interactive: fc.anything(),
              cluster: fc.oneof(
                fc.anything(),
                fc.dictionary(
                  fc.constantFrom(
                    'server',
                    'tls-server-name',
                    'insecure-skip-tls-verify',
                    'certificate-authority-data',
                    'proxy-url',
                    'config',
                  ),
                  fc.anything(),
                ),
              ),
            },
            { requiredKeys: [] },
          ),
        ),
      },
      { requiredKeys: [] },
    )
    .map((o) => JSON.stringify(o)),
);

test('property: parseExecInfo accepts or throws ExecInfoError, nothing else', () => {
  fc.assert(
    fc.property(execInfoText, fc.boolean(), (text, tty) => {
      try {
        const info = parseExecInfo(text, tty);
        assert.equal(typeof info.interactive, 'boolean');
      } catch (err) {
        if (!(err instanceof ExecInfoError)) throw err;
      }
    }),
    { numRuns: 1000 },
  );
});

const argvToken = fc.oneof(
  fc.string(),
  fc.constantFrom(...oidcGetTokenFlags.flatMap((f) => [`--${f.name}`, ...(f.aliases ?? []).map((a) => `--${a}`)])).chain((f) =>
    fc.oneof(
      fc.constant(f),
      fc.string().map((v) => `${f}=${v}`),
    ),
  ),
  fc.constantFrom('--', '-', '-v', '-vv', '--=', '---x', '--no-such-flag', '-x'),
);

test('property: parseFlags returns or throws UsageError, nothing else (OIDC and Keystone tables, with env)', () => {
  fc.assert(
    fc.property(
      fc.array(argvToken, { maxLength: 12 }),
      fc.dictionary(fc.constantFrom('OS_AUTH_URL', 'OS_USERNAME', 'OS_PROJECT_NAME', 'HOME'), fc.string()),
      (argv, env) => {
        for (const table of [oidcGetTokenFlags, keystoneGetTokenFlags]) {
          try {
            parseFlags(table, argv, env);
          } catch (err) {
            if (!(err instanceof UsageError)) throw err;
          }
        }
      },
    ),
    { numRuns: 1000 },
  );
});

test('property: parseKubeconfig of arbitrary text returns or throws KubeconfigError, nothing else', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.string(),
        fc.json(),
        kubeconfig.map(toYaml).chain((y) => fc.nat(y.length).map((cut) => y.slice(0, cut))),
      ),
      (text) => {
        try {
          parseKubeconfig('/tmp/config', text);
        } catch (err) {
          if (!(err instanceof KubeconfigError)) throw err;
        }
      },
    ),
    { numRuns: 500 },
  );
});
