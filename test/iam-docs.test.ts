// The IAM section of docs/platforms/cloudveneto.md, run as written (placeholders filled in, the
// fixture's issuer instead of iam.cloud.infn.it, `kubecred` on PATH): from nothing to kubectl. The
// device login is completed the way a person does it: read the link on stderr, open it, log in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findKubectl, requireKubectl } from './fixtures/kubectl.js';
import { completeDeviceLogin } from './fixtures/idp-login.js';
import { kubecredBin, repoRoot } from './helpers/cli.js';
import { AUDIENCE, SECRET_VALUE, startIamRig } from './helpers/iam/rig.js';

function block(doc: string, heading: string): string {
  const text = readFileSync(join(repoRoot, 'docs', 'platforms', doc), 'utf8');
  const from = text.indexOf(`\n${heading}`);
  assert.ok(from >= 0, `${doc} has a "${heading}" section`);
  const m = /```bash\n([\s\S]*?)```/.exec(text.slice(from));
  assert.ok(m, `${doc}: a bash block after "${heading}"`);
  return m[1]!;
}

test('CloudVeneto, INFN users: the one command of the docs, a device login, then kubectl', async (t) => {
  if (!requireKubectl(t)) return;
  const rig = await startIamRig();
  t.after(() => rig.close());
  const bin = join(rig.home, 'bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(kubecredBin, join(bin, 'kubecred'));
  const kubectl = findKubectl()!.path;
  const env = { ...rig.env, PATH: `${bin}${kubectl.includes('/') ? `:${resolve(kubectl, '..')}` : ''}:${rig.env.PATH}` };

  const documented = block('cloudveneto.md', '### After: one command, from nothing');
  assert.match(documented, /kubecred setup-context iam/);
  const script = documented
    .replace('<API server URL from CloudVeneto>', rig.api.url)
    .replace('<CA file from CloudVeneto>', rig.apiCaFile)
    .replace('<audience from CloudVeneto>', AUDIENCE)
    .replace('--use', `--use --issuer-url ${rig.idp.issuer}`);
  let opened = false;
  const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done, reject) => {
    const child = spawn('bash', ['-euo', 'pipefail', '-c', script], { env, cwd: rig.home, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      const link = /or open (\S+)/.exec(stderr)?.[1];
      if (link && !opened) {
        opened = true;
        void completeDeviceLogin(link, { username: 'alice', password: 'alice-password' });
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(opened, 'the device link was on stderr');
  assert.match(r.stderr, /enter the code \S+/);
  assert.match(r.stdout, /registered client \S+ at/);
  assert.match(r.stdout, /logged in as alice/);
  assert.match(readFileSync(rig.kubeconfig, 'utf8'), /command: kubecred\n/);

  const secret = await rig.kubectl(['get', 'secret', 'db', '-o', 'jsonpath={.data.password}'], { PATH: env.PATH });
  assert.equal(Buffer.from(secret.stdout, 'base64').toString('utf8'), SECRET_VALUE, secret.stderr);
});
