// `npm run demo`: the main job end to end on this machine, no external service. Starts a local
// OIDC provider and a kube-apiserver-like HTTPS server (the test fixtures), sets up a context with
// `kubecred setup-context oidc`, and runs the real kubectl through it: first a login, then a cache hit.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startIdp } from '../test/fixtures/idp.js';
import { startApiServer } from '../test/fixtures/apiserver.js';
import { findKubectl } from '../test/fixtures/kubectl.js';

const repo = resolve(import.meta.dirname, '..');
const bin = join(repo, 'bin', 'kubecred.cjs');
const say = (m: string) => process.stdout.write(`\n\x1b[1m== ${m}\x1b[0m\n`);

const kubectl = findKubectl();
if (!kubectl) {
  console.error('demo: kubectl not found: install it (Debian: apt-get install kubernetes-client) and run npm run demo again');
  process.exit(1);
}
const home = mkdtempSync(join(tmpdir(), 'kubecred-demo-'));
const idp = await startIdp({});
const api = await startApiServer({ oidc: { issuerUrl: idp.issuer, clientId: idp.publicClientId, usernameClaim: 'email', groupsClaim: 'groups' } });
api.putSecret('team-a', 'db-password', { password: 'hunter2' });
const caFile = join(home, 'cluster-ca.crt');
writeFileSync(caFile, api.caPem);
const env = {
  ...process.env,
  HOME: home,
  KUBECONFIG: join(home, '.kube', 'config'),
  KUBECACHEDIR: join(home, '.kube', 'cache'),
  PATH: `${join(repo, 'bin')}:${process.env.PATH}`,
};
// Asynchronous on purpose: the IdP and the API server live in this very process.
const run = async (title: string, file: string, args: string[]) => {
  process.stdout.write(`$ ${[file === process.execPath ? 'kubecred' : 'kubectl', ...args].join(' ')}\n`);
  const started = process.hrtime.bigint();
  const child = spawn(file, file === process.execPath ? [bin, ...args] : args, { env, stdio: 'inherit', cwd: repo });
  const status = await new Promise<number | null>((resolveExit) => child.on('close', resolveExit));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(`(${title}: exit ${status}, ${ms.toFixed(0)} ms)\n`);
  if (status !== 0) throw new Error(`${title} failed`);
};

try {
  say(`local IdP ${idp.issuer}, API server ${api.url}, kubectl ${kubectl.gitVersion}`);
  say('1. write cluster, user and context once');
  await run('setup-context', process.execPath, [
    'setup-context', 'oidc', '--context', 'demo', '--server', api.url, '--certificate-authority', caFile,
    '--issuer-url', idp.issuer, '--client-id', idp.publicClientId, '--extra-scope', 'email', '--extra-scope', 'groups',
    '--namespace', 'team-a', '--browser-command', `${process.execPath} --import tsx ${join(repo, 'scripts', 'demo-browser.ts')}`, '--use',
  ]);
  say('2. the first kubectl command logs in (the demo browser fills in the IdP login page)');
  await run('first kubectl', kubectl.path, ['get', 'secret', 'db-password', '-o', 'yaml']);
  say('3. the next ones are answered from the cache: no IdP request');
  const before = idp.counts.token;
  await run('second kubectl', kubectl.path, ['auth', 'whoami']);
  process.stdout.write(`IdP token requests during the second command: ${idp.counts.token - before}\n`);
  say('4. what is cached');
  await run('cache list', process.execPath, ['cache', 'list']);
  say('done: kubecred logged kubectl in once and served it from its cache');
} finally {
  await api.close();
  await idp.close();
  rmSync(home, { recursive: true, force: true });
}
