// --token-cache-storage keyring for a tenant context: the client key lives in a real gnome-keyring
// (private D-Bus session), not on disk, and kubectl still gets its certificate.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { findKubectl } from './fixtures/kubectl.js';
import { kubecredBin } from './helpers/cli.js';
import { startTenantRig, type TenantRig } from './helpers/tenant/rig.js';

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => {
    try {
      accessSync(join(d, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}
const missing = ['gnome-keyring-daemon', 'dbus-run-session', 'dbus-send'].filter((c) => !onPath(c));
const skip =
  process.platform !== 'linux'
    ? 'gnome-keyring is Linux only'
    : missing.length
      ? `${missing.join(', ')} not found: apt-get install gnome-keyring dbus`
      : !findKubectl()
        ? 'kubectl not found'
        : false;
if (skip) console.error(`\n*** tenant-keyring: SKIPPED: ${skip} ***\n`);

let rig: TenantRig;
before(async () => {
  rig = await startTenantRig();
});
after(async () => {
  await rig?.close();
});

const SESSION = [
  'set -e',
  'eval "$(printf kubecred-test | gnome-keyring-daemon --unlock --components=secrets)"',
  '[ -z "${GNOME_KEYRING_CONTROL:-}" ] || export GNOME_KEYRING_CONTROL',
  'i=0',
  'until dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; do',
  '  i=$((i+1)); [ $i -lt 100 ] || exit 3; sleep 0.1',
  'done',
  'set +e',
  '"$KUBECRED" setup-context tenant --context acme-dev --management-context mgmt --tenant acme --cluster dev --token-cache-storage keyring --exec-command "$KUBECRED" && "$KUBECTL" --context acme-dev get --raw /version',
  'rc=$?',
  "pid=$(dbus-send --session --print-reply --dest=org.freedesktop.DBus / org.freedesktop.DBus.GetConnectionUnixProcessID string:org.freedesktop.secrets 2>/dev/null | awk '/uint32/ { print $2 }')",
  '[ -z "$pid" ] || kill "$pid"',
  'exit $rc',
].join('\n');

test(
  'setup-context tenant --token-cache-storage keyring: the certificate and key go to the keyring, kubectl works',
  { skip, timeout: 120_000 },
  async () => {
    const run = join(rig.home, 'run');
    mkdirSync(run, { recursive: true, mode: 0o700 });
    const env: NodeJS.ProcessEnv = {
      ...rig.env,
      XDG_RUNTIME_DIR: run,
      XDG_DATA_HOME: join(rig.home, 'data'),
      XDG_CACHE_HOME: join(rig.home, 'xcache'),
      XDG_CONFIG_HOME: join(rig.home, 'xconfig'),
      KUBECRED: kubecredBin,
      KUBECTL: findKubectl()!.path,
    };
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((done) => {
      const p = spawn('dbus-run-session', ['--', 'sh', '-c', SESSION], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      p.stdout.on('data', (d: Buffer) => (stdout += d));
      p.stderr.on('data', (d: Buffer) => (stderr += d));
      p.on('close', (code) => done({ code, stdout, stderr }));
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /gitVersion/);
    const entries = readdirSync(rig.cacheDir)
      .filter((n) => n.endsWith('.json'))
      .map((n) => JSON.parse(readFileSync(join(rig.cacheDir, n), 'utf8')));
    const tenant = entries.filter((e) => e.provider === 'tenant');
    assert.equal(tenant.length, 1);
    assert.equal(tenant[0].storage, 'keyring');
    assert.equal(tenant[0].credential, undefined);
    assert.deepEqual(
      readdirSync(rig.cacheDir).filter((n) => n.endsWith('.hit')),
      [],
      'kubectl ran get-token with keyring storage: no hit record (it would hold the key on disk)',
    );
    for (const n of readdirSync(rig.cacheDir, { recursive: true }) as string[]) {
      try {
        assert.ok(!readFileSync(join(rig.cacheDir, n), 'utf8').includes('PRIVATE KEY'), `${n} holds no key`);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EISDIR') throw err;
      }
    }
  },
);
