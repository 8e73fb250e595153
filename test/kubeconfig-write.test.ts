// kubeconfig files: comment-preserving upserts, refusals, kubectl's merge/lock/path rules, real kubectl.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  KubeconfigError,
  findContext,
  loadKubeconfigFile,
  readMerged,
  removeNamed,
  resolveKubeconfig,
  saveKubeconfigFile,
  setCurrentContext,
  updateKubeconfigFile,
  updateKubeconfigFiles,
  upsertNamed,
  type UserEntry,
} from '../src/kubeconfig/index.js';
import { kubectl, kubectlKnowsExecV1 } from './helpers/kubeconfig/kubectl.js';
import { testTempDir } from './helpers/cli.js';

const posix = process.platform !== 'win32';
const tempDir = (): string => testTempDir('kubecred-kc-');
// The exec apiVersion the test's kubectl knows: kubectl < 1.22 drops interactiveMode when it rewrites.
const execUser = (id: string): UserEntry => ({
  exec: kubectlKnowsExecV1
    ? {
        apiVersion: 'client.authentication.k8s.io/v1',
        command: 'kubecred',
        args: ['get-token', 'oidc', `--client-id=${id}`],
        interactiveMode: 'IfAvailable',
      }
    : { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'kubecred', args: ['get-token', 'oidc', `--client-id=${id}`] },
});

const COMMENTED = `# managed by hand — keep this comment
apiVersion: v1
kind: Config
clusters:
# the production cluster
- cluster:
    server: https://prod.example:6443 # public endpoint
  name: prod
- cluster:
    server: https://staging.example:6443
  name: staging
contexts:
- context:
    cluster: prod
    user: login-prod
  name: prod
current-context: prod
preferences: {}
users:
- name: login-prod # kubelogin
  user:
    exec:
      apiVersion: client.authentication.k8s.io/v1beta1
      command: kubelogin
      args: [get-token, --oidc-issuer-url=https://idp.example]
- name: zeta
  user:
    token: not-ours
`;

test('upsert adds an entry and keeps comments, other entries and their order', async () => {
  const file = join(tempDir(), 'config');
  writeFileSync(file, COMMENTED);
  const { result, written } = await updateKubeconfigFile(file, (doc) => upsertNamed(doc, 'users', 'prod-oidc', execUser('a')));
  assert.equal(result, 'added');
  assert.equal(written, true);
  const text = readFileSync(file, 'utf8');
  for (const comment of ['# managed by hand — keep this comment', '# the production cluster', '# public endpoint', '# kubelogin'])
    assert.ok(text.includes(comment), comment);
  const doc = loadKubeconfigFile(file);
  assert.deepEqual(
    readMerged([file]).users.map((u) => u.name),
    ['login-prod', 'zeta', 'prod-oidc'],
  );
  assert.deepEqual(
    readMerged([file]).clusters.map((c) => c.name),
    ['prod', 'staging'],
  );
  assert.ok(text.includes('\n- name: zeta\n'), 'sequence style of the file (flush dashes) is kept');
  assert.equal(doc.existed, true);
});

test('a different entry of the same name is refused without --force, naming it; --force replaces it', async () => {
  const file = join(tempDir(), 'config');
  writeFileSync(file, COMMENTED);
  const before = readFileSync(file);
  await assert.rejects(
    updateKubeconfigFile(file, (doc) => upsertNamed(doc, 'users', 'login-prod', execUser('a'))),
    (err: Error) => {
      assert.ok(err instanceof KubeconfigError);
      assert.equal(err.message, `user "login-prod" already exists in ${file} with different settings: pass --force to replace it`);
      return true;
    },
  );
  assert.deepEqual(readFileSync(file), before, 'refusal leaves the file byte-identical');
  const { result } = await updateKubeconfigFile(file, (doc) => upsertNamed(doc, 'users', 'login-prod', execUser('a'), { force: true }));
  assert.equal(result, 'replaced');
  const merged = readMerged([file]);
  assert.deepEqual(
    merged.users.map((u) => u.name),
    ['login-prod', 'zeta'],
    'replaced in place',
  );
  assert.deepEqual(merged.users[0]!.value.exec?.args, ['get-token', 'oidc', '--client-id=a']);
  assert.ok(readFileSync(file, 'utf8').includes('# managed by hand'));
});

test('replacing or removing an entry with a YAML anchor keeps the aliases elsewhere meaning the same', async () => {
  const file = join(tempDir(), 'config');
  writeFileSync(
    file,
    'apiVersion: v1\nkind: Config\nusers:\n- name: a\n  user: &shared\n    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: kubelogin}\n- name: b\n  user: *shared\n',
  );
  await updateKubeconfigFile(file, (doc) => upsertNamed(doc, 'users', 'a', execUser('a'), { force: true }));
  const users = readMerged([file]).users;
  assert.equal(users[0]!.value.exec?.command, 'kubecred');
  assert.equal(users[1]!.value.exec?.command, 'kubelogin');
  assert.equal(JSON.parse(kubectl(['config', 'view', '--kubeconfig', file, '-o', 'json'])).users[1].user.exec.command, 'kubelogin');
});

test('the same value is unchanged and the file is not rewritten, even after kubectl normalised it', async () => {
  const file = join(tempDir(), 'config');
  await updateKubeconfigFile(file, (doc) => {
    upsertNamed(doc, 'users', 'u', execUser('a'));
    upsertNamed(doc, 'users', 'old', {
      exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'kubecred', args: ['get-token', 'x'] },
    });
    upsertNamed(doc, 'clusters', 'c', { server: 'https://c.example' });
    upsertNamed(doc, 'contexts', 'c', { cluster: 'c', user: 'u' });
  });
  kubectl(['config', 'use-context', 'c', '--kubeconfig', file]); // kubectl rewrites: env: null, provideClusterInfo: false, …
  assert.match(readFileSync(file, 'utf8'), /env: null/);
  const st = statSync(file);
  const { result, written } = await updateKubeconfigFile(file, (doc) => [
    upsertNamed(doc, 'users', 'u', execUser('a')),
    upsertNamed(doc, 'users', 'old', {
      exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: 'kubecred', args: ['get-token', 'x'] },
    }),
    upsertNamed(doc, 'clusters', 'c', { server: 'https://c.example' }),
    setCurrentContext(doc, 'c'),
  ]);
  assert.deepEqual(result, ['unchanged', 'unchanged', 'unchanged', false]);
  assert.equal(written, false);
  assert.equal(statSync(file).ino, st.ino, 'not replaced');
  assert.equal(statSync(file).mtimeMs, st.mtimeMs);
});

test('malformed YAML or a wrong shape: one-line error with file and line, file byte-identical', async () => {
  const dir = tempDir();
  const cases: Array<[string, number, RegExp]> = [
    ['apiVersion: v1\nclusters:\n- name: a\n  cluster: {server: x\n users: [\n', 5, /indented|Sequence item/],
    ['apiVersion: v1\nkind: Config\nclusters:\n  a: 1\n', 4, /clusters is not a list/],
    ['apiVersion: v1\nusers:\n- name: a\n  user: {}\n- user: {}\n', 5, /an entry of users has no name/],
    [
      'apiVersion: v1\nclusters:\n- name: a\n  cluster: {server: https://a}\n- name: a\n  cluster: {server: https://b}\n',
      5,
      /duplicate cluster name "a"/,
    ],
    ['apiVersion: v1\n---\nkind: Config\n', 2, /multiple documents/],
    ['- just\n- a list\n', 1, /not a mapping/],
  ];
  for (const [i, [text, line, what]] of cases.entries()) {
    const file = join(dir, `config${i}`);
    writeFileSync(file, text);
    await assert.rejects(
      updateKubeconfigFile(file, (doc) => upsertNamed(doc, 'users', 'new', execUser('a'))),
      (err: Error) => {
        assert.ok(err instanceof KubeconfigError, String(err));
        assert.ok(err.message.startsWith(`${file}:${line}: `), err.message);
        assert.match(err.message, what);
        assert.match(err.message, /fix or move this file/);
        assert.ok(!err.message.includes('\n'), 'one line');
        return true;
      },
    );
    assert.equal(readFileSync(file, 'utf8'), text);
    assert.equal(existsSync(`${file}.lock`), false, 'lock released');
  }
  // kubectl agrees the duplicate-name file is broken.
  assert.throws(() => kubectl(['config', 'view', '--kubeconfig', join(dir, 'config3')]));
});

test('paths: --kubeconfig wins, KUBECONFIG drops empty and duplicate entries, else ~/.kube/config', () => {
  const env = { HOME: '/home/ana', KUBECONFIG: '/a/one::/a/two:/a/one:' };
  assert.deepEqual(resolveKubeconfig({ explicit: '/x/k', env }), { files: ['/x/k'], writeTarget: '/x/k', explicit: true });
  assert.deepEqual(resolveKubeconfig({ env }), { files: ['/a/one', '/a/two'], writeTarget: '/a/one', explicit: false });
  assert.deepEqual(resolveKubeconfig({ env: { HOME: '/home/ana' } }), {
    files: ['/home/ana/.kube/config'],
    writeTarget: '/home/ana/.kube/config',
    explicit: false,
  });
  assert.deepEqual(resolveKubeconfig({ env: { HOME: '/home/ana', KUBECONFIG: '' } }).files, ['/home/ana/.kube/config']);
});

test('KUBECONFIG list: merged like kubectl, new entries to the first file, existing ones where they are', async () => {
  const dir = tempDir();
  const one = join(dir, 'one');
  const two = join(dir, 'two');
  writeFileSync(one, 'apiVersion: v1\nkind: Config\nclusters:\n- name: shared\n  cluster: {server: https://from-one}\n');
  writeFileSync(two, COMMENTED.replace('server: https://staging.example:6443', 'server: https://from-two'));
  const files = resolveKubeconfig({ env: { KUBECONFIG: `${one}:${two}` } }).files;
  const merged = readMerged([...files, join(dir, 'missing')]);
  assert.equal(merged.currentContext, 'prod', 'from the first file that sets it');
  assert.deepEqual(
    merged.clusters.map((c) => [c.name, c.file]),
    [
      ['shared', one],
      ['prod', two],
      ['staging', two],
    ],
  );
  const found = findContext(files);
  assert.equal(found.context.user, 'login-prod');
  assert.deepEqual(found.user?.exec?.args, ['get-token', '--oidc-issuer-url=https://idp.example']);
  assert.equal(found.cluster?.server, 'https://prod.example:6443');
  assert.throws(() => findContext(files, 'nope'), /context "nope" not found in 2 kubeconfig files \(KUBECONFIG\) \(available: prod\)/);

  const kubectlView = JSON.parse(kubectl(['config', 'view', '-o', 'json'], { KUBECONFIG: `${one}:${two}` }));
  assert.deepEqual(kubectlView.clusters.map((c: { name: string }) => c.name).sort(), merged.clusters.map((c) => c.name).sort());
  assert.equal(kubectlView['current-context'], merged.currentContext);

  const { written } = await updateKubeconfigFiles(files, (docs) => {
    const [first, second] = docs as [(typeof docs)[0], (typeof docs)[0]];
    upsertNamed(first, 'users', 'brand-new', execUser('n'));
    upsertNamed(second, 'users', 'login-prod', execUser('p'), { force: true });
  });
  assert.deepEqual(written, [one, two]);
  assert.deepEqual(
    readMerged([one]).users.map((u) => u.name),
    ['brand-new'],
  );
  assert.deepEqual(
    readMerged([two]).users.map((u) => u.name),
    ['login-prod', 'zeta'],
  );
});

test('the written file is 0600 even if it was more open, and a missing ~/.kube is created 0700', { skip: !posix }, async () => {
  const home = tempDir();
  const file = join(home, '.kube', 'config');
  const saved = process.env.HOME;
  process.env.HOME = home;
  try {
    await updateKubeconfigFile(file, (doc) => upsertNamed(doc, 'clusters', 'c', { server: 'https://c' }));
  } finally {
    process.env.HOME = saved;
  }
  assert.equal(statSync(join(home, '.kube')).mode & 0o777, 0o700);
  assert.equal(statSync(file).mode & 0o777, 0o600);
  const open = join(tempDir(), 'open');
  writeFileSync(open, COMMENTED, { mode: 0o644 });
  await updateKubeconfigFile(open, (doc) => removeNamed(doc, 'users', 'zeta'));
  assert.equal(statSync(open).mode & 0o777, 0o600);
  const empty = loadKubeconfigFile(join(home, 'nothing'));
  assert.equal(empty.existed, false);
  assert.deepEqual(readMerged([join(home, 'nothing')]), { currentContext: '', contexts: [], clusters: [], users: [] });
});

test('a symlinked kubeconfig is followed: the target is replaced, the link stays', { skip: !posix }, async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'real'));
  writeFileSync(join(dir, 'real', 'config'), COMMENTED);
  symlinkSync(join(dir, 'real', 'config'), join(dir, 'link'));
  await updateKubeconfigFile(join(dir, 'link'), (doc) => upsertNamed(doc, 'clusters', 'new', { server: 'https://n' }));
  assert.ok(lstatSync(join(dir, 'link')).isSymbolicLink());
  assert.equal(readlinkSync(join(dir, 'link')), join(dir, 'real', 'config'));
  assert.deepEqual(
    readMerged([join(dir, 'real', 'config')]).clusters.map((c) => c.name),
    ['prod', 'staging', 'new'],
  );
});

test('with <file>.lock present the write waits, then fails with a one-line message; the file is untouched', async () => {
  const file = join(tempDir(), 'config');
  writeFileSync(file, COMMENTED);
  writeFileSync(`${file}.lock`, '');
  let waited = 0;
  const started = Date.now();
  await assert.rejects(
    updateKubeconfigFile(file, (doc) => upsertNamed(doc, 'users', 'x', execUser('x')), { lockTimeoutMs: 300, onLockWait: () => waited++ }),
    (err: Error) => {
      assert.ok(err instanceof KubeconfigError);
      assert.equal(
        err.message,
        `${file}.lock exists: another kubectl or kubecred is writing ${file}; if none is running, remove ${file}.lock and retry`,
      );
      return true;
    },
  );
  assert.ok(Date.now() - started >= 290, 'waited for the lock');
  assert.equal(waited, 1);
  assert.equal(readFileSync(file, 'utf8'), COMMENTED);
  assert.ok(existsSync(`${file}.lock`), 'someone else’s lock is not removed');

  // kubectl honours the same lock file: it refuses to write while we (or anyone) hold it.
  assert.throws(() => kubectl(['config', 'use-context', 'prod', '--kubeconfig', file]), /config\.lock/);
});

test('a lock released later lets the waiting writer through; saveKubeconfigFile refuses a stale document', async () => {
  const file = join(tempDir(), 'config');
  writeFileSync(file, COMMENTED);
  writeFileSync(`${file}.lock`, '');
  setTimeout(() => rmSync(`${file}.lock`), 150);
  const { result } = await updateKubeconfigFile(file, (doc) => upsertNamed(doc, 'users', 'x', execUser('x')), { lockTimeoutMs: 3000 });
  assert.equal(result, 'added');
  assert.equal(existsSync(`${file}.lock`), false);

  const stale = loadKubeconfigFile(file);
  upsertNamed(stale, 'users', 'y', execUser('y'));
  await updateKubeconfigFile(file, (doc) => upsertNamed(doc, 'users', 'z', execUser('z')));
  await assert.rejects(saveKubeconfigFile(file, stale), /changed since it was read/);
  const fresh = loadKubeconfigFile(file);
  upsertNamed(fresh, 'users', 'y', execUser('y'));
  assert.equal(await saveKubeconfigFile(file, fresh), true);
  assert.deepEqual(
    readMerged([file]).users.map((u) => u.name),
    ['login-prod', 'zeta', 'x', 'z', 'y'],
  );
});

test('real kubectl reads what we write: the exec user with its args, the context', async () => {
  const file = join(tempDir(), 'config');
  await updateKubeconfigFile(file, (doc) => {
    upsertNamed(doc, 'clusters', 'c1', {
      server: 'https://c1.example:6443',
      'proxy-url': 'socks5://127.0.0.1:1080',
      'tls-server-name': 'api.c1',
    });
    upsertNamed(doc, 'users', 'c1-oidc', execUser('kubernetes'));
    upsertNamed(doc, 'contexts', 'c1', { cluster: 'c1', user: 'c1-oidc', namespace: 'team-a' });
    setCurrentContext(doc, 'c1');
  });
  const view = JSON.parse(kubectl(['config', 'view', '--kubeconfig', file, '-o', 'json']));
  assert.equal(view['current-context'], 'c1');
  assert.deepEqual(view.users[0].user.exec.args, ['get-token', 'oidc', '--client-id=kubernetes']);
  assert.equal(view.users[0].user.exec.command, 'kubecred');
  // kubectl < 1.22 does not know the field and leaves it out of its view.
  if (kubectlKnowsExecV1) assert.equal(view.users[0].user.exec.interactiveMode, 'IfAvailable');
  assert.equal(view.clusters[0].cluster['proxy-url'], 'socks5://127.0.0.1:1080');
  assert.equal(view.contexts[0].context.namespace, 'team-a');
  assert.match(kubectl(['config', 'get-contexts', '--kubeconfig', file]), /\*\s+c1\s+c1\s+c1-oidc\s+team-a/);
});

test('10 concurrent writers upserting different users into one file: no lost update', async () => {
  const file = join(tempDir(), 'config');
  writeFileSync(file, COMMENTED);
  const helper = fileURLToPath(new URL('./helpers/kubeconfig/upsert-user.ts', import.meta.url));
  const names = Array.from({ length: 10 }, (_, i) => `writer-${i}`);
  // Hold the lock until all 10 are waiting on it, then let them race for it at once.
  writeFileSync(`${file}.lock`, '');
  let waiting = 0;
  let allWaiting!: () => void;
  const everyoneWaits = new Promise<void>((resolve) => (allWaiting = resolve));
  const runs = names.map(
    (name) =>
      new Promise<void>((done, reject) => {
        const child = execFile(process.execPath, ['--import', 'tsx', helper, file, name], (err, _out, stderr) =>
          err ? reject(new Error(`${name}: ${stderr}`)) : done(),
        );
        child.stdout?.once('data', () => ++waiting === names.length && allWaiting());
      }),
  );
  await everyoneWaits;
  rmSync(`${file}.lock`);
  await Promise.all(runs);
  const users = readMerged([file]).users.map((u) => u.name);
  assert.deepEqual(users.slice(0, 2), ['login-prod', 'zeta']);
  assert.deepEqual(users.slice(2).sort(), names.sort());
  assert.equal(existsSync(`${file}.lock`), false);
  assert.ok(readFileSync(file, 'utf8').includes('# managed by hand'));
  JSON.parse(kubectl(['config', 'view', '--kubeconfig', file, '-o', 'json']));
});
