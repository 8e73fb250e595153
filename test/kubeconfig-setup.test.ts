// setup-context's shared part: options → validated cluster entry, the three entries written at once
// (or none), secrets kept out, and which exec command goes into the kubeconfig.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../src/shared/errors.js';
import { clusterEntryFromOptions, setupNames, type ClusterOptions } from '../src/usecases/cluster-entry.js';
import { clusterSetupFlags } from '../src/usecases/setup-flags.js';
import { clusterOptionsFrom, setupWithProvider } from '../src/usecases/setup-provider.js';
import { parseFlags } from '../src/exec/flags.js';
import type { ProviderModule } from '../src/providers/types.js';
import { KubeconfigError, readMerged } from '../src/kubeconfig/index.js';
import { assertNoSecrets, buildExecConfig, setupContext, summaryLines, type SetupContextInput } from '../src/usecases/setup-context.js';
import { parseExecApiVersion, resolveExecCommand } from '../src/usecases/exec-command.js';
import { createCa } from './fixtures/certs.js';
import { kubectl, kubectlKnowsExecV1 } from './helpers/kubeconfig/kubectl.js';
import { testTempDir } from './helpers/cli.js';

const tempDir = (): string => testTempDir('kubecred-setup-');
const launcher = realpathSync(fileURLToPath(new URL('../bin/kubecred.cjs', import.meta.url)));

function input(file: string | undefined, over: Partial<SetupContextInput> = {}): SetupContextInput {
  return {
    kubeconfig: file,
    env: {},
    contextName: 'mia-prod',
    clusterName: 'mia-prod',
    userName: 'mia-prod-oidc',
    cluster: { server: 'https://127.0.0.1:1' },
    // `kubecred` is not on the PATH kubectl gets in these tests, so kubectl never runs it.
    // The exec apiVersion the test's kubectl understands (v1beta1 for Debian's kubernetes-client 1.20).
    exec: {
      command: 'kubecred',
      args: ['get-token', 'oidc', '--issuer-url=https://idp.example', '--client-id=kubernetes'],
      installHint: 'install kubecred',
      apiVersion: kubectlKnowsExecV1 ? 'v1' : 'v1beta1',
    },
    use: false,
    force: false,
    ...over,
  };
}

/** Parses argv with the real cluster flag table, as every provider's setup-context does. */
function parseOptions(argv: string[]): ClusterOptions {
  return clusterOptionsFrom(parseFlags(clusterSetupFlags, argv).values);
}

test('setupContext writes cluster, user (exec) and context that kubectl reads', async () => {
  const file = join(tempDir(), 'config');
  const summary = await setupContext(input(file, { namespace: 'tenant-a' }));
  assert.deepEqual([summary.cluster.result, summary.user.result, summary.context.result], ['added', 'added', 'added']);
  assert.deepEqual(summary.written, [file]);
  assert.equal(summary.currentContext, undefined);
  const view = JSON.parse(kubectl(['config', 'view', '--kubeconfig', file, '-o', 'json']));
  assert.equal(view.clusters[0].name, 'mia-prod');
  assert.equal(view.clusters[0].cluster.server, 'https://127.0.0.1:1');
  assert.deepEqual(view.users[0].user.exec.args, ['get-token', 'oidc', '--issuer-url=https://idp.example', '--client-id=kubernetes']);
  assert.equal(
    view.users[0].user.exec.apiVersion,
    kubectlKnowsExecV1 ? 'client.authentication.k8s.io/v1' : 'client.authentication.k8s.io/v1beta1',
  );
  assert.equal(view.users[0].user.exec.interactiveMode, kubectlKnowsExecV1 ? 'IfAvailable' : undefined);
  assert.equal(view.users[0].user.exec.installHint, 'install kubecred');
  assert.deepEqual(view.contexts[0], { name: 'mia-prod', context: { cluster: 'mia-prod', user: 'mia-prod-oidc', namespace: 'tenant-a' } });
  assert.equal(view['current-context'], '');
  assert.match(
    summaryLines(summary).join('\n'),
    /^cluster "mia-prod": added in .*\nuser "mia-prod-oidc": added in .*\ncontext "mia-prod": added in .*\nswitch to it with: kubectl config use-context mia-prod/,
  );

  // Run again: nothing changes, nothing is rewritten; the namespace chosen later with kubectl stays.
  kubectl(['config', 'set-context', 'mia-prod', '--namespace=tenant-b', '--kubeconfig', file]);
  const again = await setupContext(input(file));
  assert.deepEqual(
    [again.cluster.result, again.user.result, again.context.result, again.written.length],
    ['unchanged', 'unchanged', 'unchanged', 0],
  );
  assert.equal(readMerged([file]).contexts[0]!.value.namespace, 'tenant-b');
});

test('--use sets current-context; v1beta1 for old kubectl leaves interactiveMode out', async () => {
  const file = join(tempDir(), 'config');
  writeFileSync(
    file,
    'apiVersion: v1\nkind: Config\ncurrent-context: other\ncontexts:\n- name: other\n  context: {cluster: x, user: other-user}\n',
  );
  const summary = await setupContext(input(file, { use: true, exec: { ...input(file).exec, apiVersion: 'v1beta1' } }));
  assert.deepEqual(summary.currentContext, { value: 'mia-prod', changed: true, previous: 'other' });
  assert.ok(summaryLines(summary).includes('current-context: "mia-prod" (was "other")'));
  assert.equal(kubectl(['config', 'current-context', '--kubeconfig', file]).trim(), 'mia-prod');
  const exec = readMerged([file]).users[0]!.value.exec!;
  assert.equal(exec.apiVersion, 'client.authentication.k8s.io/v1beta1');
  assert.equal('interactiveMode' in exec, false);
  assert.match(kubectl(['config', 'get-contexts', '--kubeconfig', file]), /\*\s+mia-prod\s+mia-prod\s+mia-prod-oidc/);
  assert.equal(parseExecApiVersion(undefined), 'client.authentication.k8s.io/v1');
  assert.throws(() => parseExecApiVersion('v2'), UsageError);
});

test('names that YAML 1.1 reads as booleans or numbers are quoted, so kubectl reads them as names', async () => {
  const file = join(tempDir(), 'config');
  await setupContext(input(file, { contextName: 'on', clusterName: '0777', userName: 'y', namespace: 'no', use: true }));
  const view = JSON.parse(kubectl(['config', 'view', '--kubeconfig', file, '-o', 'json']));
  assert.deepEqual(view.contexts[0], { name: 'on', context: { cluster: '0777', user: 'y', namespace: 'no' } });
  assert.equal(view['current-context'], 'on');
  assert.equal(view.clusters[0].name, '0777');
});

test('--certificate-authority FILE is checked and embedded; a bad CA file is an error and nothing is written', async () => {
  const dir = tempDir();
  const ca = await createCa();
  writeFileSync(join(dir, 'ca.crt'), `# our CA\n${ca.caPem}`);
  const opts = parseOptions([
    '--context',
    'c',
    '--server',
    'https://api.example:6443',
    '--certificate-authority',
    join(dir, 'ca.crt'),
    '--tls-server-name',
    'api.internal',
    '--proxy-url',
    'socks5://bastion:1080',
  ]);
  const { cluster, warnings } = clusterEntryFromOptions(opts);
  assert.deepEqual(warnings, []);
  assert.equal(Buffer.from(cluster['certificate-authority-data']!, 'base64').toString(), `${ca.caPem.trim()}\n`);
  assert.equal(cluster['tls-server-name'], 'api.internal');
  assert.equal(cluster['proxy-url'], 'socks5://bastion:1080');
  const file = join(dir, 'config');
  await setupContext(input(file, { cluster }));
  const raw = JSON.parse(kubectl(['config', 'view', '--raw', '--kubeconfig', file, '-o', 'json']));
  assert.equal(raw.clusters[0].cluster['certificate-authority-data'], cluster['certificate-authority-data']);
  assert.equal(raw.clusters[0].cluster['proxy-url'], 'socks5://bastion:1080');
  // The same data given as base64 is accepted and gives the same entry.
  const viaData = clusterEntryFromOptions(
    parseOptions([
      '--context',
      'c',
      '--server',
      'https://api.example:6443',
      '--certificate-authority-data',
      Buffer.from(ca.caPem).toString('base64'),
    ]),
  );
  assert.equal(Buffer.from(viaData.cluster['certificate-authority-data']!, 'base64').toString(), ca.caPem);

  const bad: Array<[string, RegExp]> = [
    ['not a certificate\n', /holds no PEM certificate/],
    ['-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n', /certificate 1 does not parse/],
    [`${ca.caPem}${ca.caKeyPem}`, /contains a private key/],
  ];
  for (const [i, [text, why]] of bad.entries()) {
    const caFile = join(dir, `bad${i}.crt`);
    writeFileSync(caFile, text);
    const target = join(dir, `never${i}`);
    await assert.rejects(
      (async () =>
        setupContext(
          input(
            target,
            clusterEntryFromOptions(parseOptions(['--context', 'c', '--server', 'https://a', '--certificate-authority', caFile])),
          ),
        ))(),
      (err: Error) => err instanceof UsageError && err.message.includes(caFile) && why.test(err.message),
    );
    assert.equal(existsSync(target), false);
  }
  assert.throws(
    () =>
      clusterEntryFromOptions(
        parseOptions(['--context', 'c', '--server', 'https://a', '--certificate-authority', join(dir, 'missing.crt')]),
      ),
    /missing\.crt: cannot read \(ENOENT\)/,
  );
  assert.throws(
    () => clusterEntryFromOptions(parseOptions(['--context', 'c', '--server', 'https://a', '--certificate-authority-data', 'not base64!'])),
    /not base64/,
  );
});

test('option checks: CA options are exclusive, URLs are validated, http warns, names default', () => {
  const combos = [
    ['--certificate-authority', '/x', '--insecure-skip-tls-verify'],
    ['--certificate-authority', '/x', '--certificate-authority-data', 'QUJD'],
    ['--certificate-authority-data', 'QUJD', '--insecure-skip-tls-verify'],
  ];
  for (const extra of combos) {
    assert.throws(
      () => clusterEntryFromOptions(parseOptions(['--context', 'c', '--server', 'https://a', ...extra])),
      (err: Error) =>
        err instanceof UsageError &&
        err.exitCode === 2 &&
        /cannot be combined: give one of them$/.test(err.message) &&
        !err.message.includes('\n'),
    );
  }
  const base = { context: 'c' };
  assert.throws(() => clusterEntryFromOptions({ ...base, server: 'ftp://a' }), /--server must be a https, http URL/);
  assert.throws(() => clusterEntryFromOptions({ ...base, server: 'a.example:6443' }), UsageError);
  assert.throws(
    () => clusterEntryFromOptions({ ...base, server: 'https://a', proxyUrl: 'ftp://p' }),
    /--proxy-url must be a http, https, socks5 URL/,
  );
  assert.throws(() => clusterEntryFromOptions({ ...base, server: 'https://a', proxyUrl: 'http://user:pw@p:3128' }), /contains a password/);
  assert.throws(() => clusterEntryFromOptions({ ...base, server: 'https://a', tlsServerName: 'a b' }), /--tls-server-name/);
  const http = clusterEntryFromOptions({ ...base, server: 'http://127.0.0.1:8080' });
  assert.match(http.warnings[0]!, /plain http/);
  const insecure = clusterEntryFromOptions({ ...base, server: 'https://a', insecureSkipTlsVerify: true });
  assert.equal(insecure.cluster['insecure-skip-tls-verify'], true);
  assert.deepEqual(setupNames({ context: 'prod' }, 'oidc'), { contextName: 'prod', clusterName: 'prod', userName: 'prod-oidc' });
  assert.deepEqual(setupNames({ context: 'prod', clusterName: 'k', userName: 'login-k' }, 'oidc'), {
    contextName: 'prod',
    clusterName: 'k',
    userName: 'login-k',
  });
  assert.throws(() => parseOptions(['--server', 'https://a']), /--context is required/);
  assert.throws(() => parseExecApiVersion('v2'), /exec-api-version/);
});

test('no secret ever goes into the exec entry', async () => {
  for (const arg of [
    '--password=hunter2',
    '--password',
    '--client-secret=s',
    '--oidc-client-secret=s',
    '--application-credential-secret=s',
    '-token=t',
  ]) {
    assert.throws(
      () => assertNoSecrets({ args: ['get-token', 'oidc', arg] }),
      (err: Error) => err instanceof UsageError && /refusing to write .* into a kubeconfig/.test(err.message),
      arg,
    );
  }
  for (const name of ['OS_PASSWORD', 'KUBECRED_CLIENT_SECRET', 'OS_APPLICATION_CREDENTIAL_SECRET', 'OS_TOKEN']) {
    assert.throws(() => assertNoSecrets({ env: [{ name, value: 'x' }] }), UsageError, name);
  }
  assertNoSecrets({
    args: ['get-token', 'keystone', '--username=ana', '--application-credential-id=abc', '--token-cache-dir=/x'],
    env: [{ name: 'OS_AUTH_URL', value: 'https://k' }],
  });
  const file = join(tempDir(), 'config');
  await assert.rejects(
    setupContext(input(file, { exec: { ...input(file).exec, args: ['get-token', 'oidc', '--client-secret=s3cr3t'] } })),
    UsageError,
  );
  assert.equal(existsSync(file), false);
  const exec = buildExecConfig(input(file).exec);
  assert.ok(!JSON.stringify(exec).match(/secret|password/i));
});

test('a refusal of any entry writes nothing; --force replaces all', async () => {
  const file = join(tempDir(), 'config');
  await setupContext(input(file));
  const before = readFileSync(file, 'utf8');
  const other = input(file, { cluster: { server: 'https://127.0.0.1:2' } });
  await assert.rejects(
    setupContext({ ...other, userName: 'new-user' }),
    (err: Error) =>
      err instanceof KubeconfigError &&
      /^cluster "mia-prod" already exists in .* with different settings: pass --force to replace it$/.test(err.message),
  );
  assert.equal(readFileSync(file, 'utf8'), before, 'the new user was not written either');
  const forced = await setupContext({ ...other, force: true });
  assert.deepEqual([forced.cluster.result, forced.user.result, forced.context.result], ['replaced', 'unchanged', 'unchanged']);
});

test('KUBECONFIG list: new entries and current-context go to the first file, an existing user is updated where it is', async () => {
  const dir = tempDir();
  const first = join(dir, 'first');
  const second = join(dir, 'second');
  writeFileSync(
    second,
    'apiVersion: v1\nkind: Config\ncurrent-context: old\nusers:\n- name: mia-prod-oidc\n  user:\n    exec: {apiVersion: client.authentication.k8s.io/v1, command: kubelogin, interactiveMode: IfAvailable}\n',
  );
  const summary = await setupContext(input(undefined, { env: { KUBECONFIG: `${first}:${second}` }, use: true, force: true }));
  assert.equal(summary.file, first);
  assert.deepEqual([summary.cluster.file, summary.user.file, summary.context.file], [first, second, first]);
  assert.equal(summary.user.result, 'replaced');
  const view = JSON.parse(kubectl(['config', 'view', '-o', 'json'], { KUBECONFIG: `${first}:${second}` }));
  assert.equal(view['current-context'], 'mia-prod');
  assert.equal(view.users.find((u: { name: string }) => u.name === 'mia-prod-oidc').user.exec.command, 'kubecred');
});

test('resolveExecCommand: `kubecred` when PATH finds this installation, else the launcher path; --exec-command wins', () => {
  const dir = tempDir();
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(launcher, join(bin, 'kubecred'));
  const onPath = resolveExecCommand({ env: { PATH: bin }, launcherPath: launcher });
  assert.equal(onPath.command, 'kubecred');
  assert.match(onPath.reason, /kubecred on PATH is this installation|is this installation/);

  const none = resolveExecCommand({ env: { PATH: join(dir, 'empty') }, launcherPath: launcher });
  assert.equal(none.command, launcher);
  assert.match(none.reason, /kubecred is not on PATH/);

  const otherBin = join(dir, 'other');
  mkdirSync(otherBin);
  writeFileSync(join(otherBin, 'kubecred'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(otherBin, 'kubecred'), 0o755);
  const other = resolveExecCommand({ env: { PATH: `${otherBin}:${bin}` }, launcherPath: launcher });
  assert.equal(other.command, launcher);
  assert.match(other.reason, /another installation/);
  assert.ok(!other.reason.includes('\n'));

  assert.equal(resolveExecCommand({ explicit: 'kubecred', env: {}, launcherPath: launcher }).command, 'kubecred');
  assert.equal(resolveExecCommand({ explicit: './bin/kc', env: {}, launcherPath: launcher }).command, join(process.cwd(), 'bin/kc'));
});

test('setup-context with a provider: options → exec command → entries, one line per entry on stdout', async () => {
  const dir = tempDir();
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  symlinkSync(launcher, join(bin, 'kubecred'));
  const file = join(dir, 'config');
  const out: string[] = [];
  const err: string[] = [];
  // A provider that only passes its flags through: what the use case writes is all there is.
  const module: ProviderModule = {
    kind: 'fake',
    source: 'a test',
    setupDescription: 'a test provider',
    getTokenFlags: [{ name: 'auth-url', type: 'string', description: 'where' }],
    identity: (values) => ({ provider: 'fake', url: String(values['auth-url'] ?? '') }),
    setupFlags: [],
    secretNames: { session: [], config: [] },
    load: async () => ({
      settings: (v) => v,
      obtain: async () => {
        throw new Error('not here');
      },
      logout: async () => [],
      setup: async (_ctx, request) => ({ args: request.passArgs }),
      describe: (e) => ({ summary: String(e.label), fields: [] }),
    }),
  };
  const io = {
    env: { PATH: bin, HOME: dir, KUBECACHEDIR: join(dir, 'cache') },
    launcherPath: launcher,
    stdout: (l: string) => void out.push(l),
    stderr: (l: string) => void err.push(l),
    stdinIsTTY: false,
    readSecret: async () => '',
    infra: () => ({
      clock: { now: Date.now },
      log: { info: () => {}, warn: () => {}, debug: () => {} },
      prompt: { available: false, secret: async () => '', line: async () => '' },
      browser: { open: async () => {} },
      env: {},
      http: { fetcher: () => fetch },
      stderrIsTTY: false,
    }),
  };
  await setupWithProvider(
    [module],
    module,
    [
      '--context',
      'dev',
      '--server',
      'http://127.0.0.1:1',
      '--kubeconfig',
      file,
      '--use',
      '--namespace',
      'team-a',
      '--auth-url',
      'https://k/v3',
    ],
    io,
  );
  assert.deepEqual(out.slice(0, 4), [
    `cluster "dev": added in ${file}`,
    `user "dev-fake": added in ${file}`,
    `context "dev": added in ${file}`,
    'current-context: "dev"',
  ]);
  assert.match(err[0]!, /plain http/);
  assert.match(err[1]!, /exec command: kubecred/);
  const user = readMerged([file]).users[0]!.value.exec!;
  assert.equal(user.command, 'kubecred');
  assert.deepEqual(user.args, ['get-token', 'fake', '--auth-url=https://k/v3']);
  await assert.rejects(
    setupWithProvider([module], module, ['--context', 'dev', '--server', 'https://a', '--namespace', 'Bad_NS'], io),
    /--namespace "Bad_NS"/,
  );
});
