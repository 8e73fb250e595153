// withKeyLock across processes: mutual exclusion, takeover of a lock left by a killed holder, and
// no takeover from a live one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withKeyLock } from '../src/store/lock.js';
import { lockPath } from '../src/store/paths.js';

const KEY = 'c'.repeat(64);
const CHILD = 'test/helpers/store/lock-child.ts';
/** The shortest stale time withKeyLock accepts: keeps the takeover tests short. */
const TEST_STALE_MS = 2000;

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kubecred-lock-'));
}

interface Child {
  proc: ChildProcessWithoutNullStreams;
  /** Resolves when the child printed this line on stdout. */
  said(line: string): Promise<void>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function child(args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, ...args], { stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ line: string; resolve: () => void }> = [];
  proc.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    const lines = stdout.split('\n');
    for (const w of waiters.splice(0)) {
      if (lines.includes(w.line)) w.resolve();
      else waiters.push(w);
    }
  });
  proc.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
    proc.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })),
  );
  const said = (line: string) =>
    new Promise<void>((resolve, reject) => {
      if (stdout.split('\n').includes(line)) return resolve();
      waiters.push({ line, resolve });
      void exit.then((e) => reject(new Error(`child exited (${e.code ?? e.signal}) before saying ${line}: ${e.stderr}`)));
    });
  return { proc, said, exit };
}

function logLines(log: string): Array<[string, string]> {
  if (!existsSync(log)) return [];
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(' ') as [string, string]);
}

test('20 processes contending for one key hold the lock one at a time', { timeout: 120_000 }, async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'log');
  const children = Array.from({ length: 20 }, () => child(['contend', dir, KEY, log]));
  const exits = await Promise.all(children.map((c) => c.exit));
  for (const e of exits) assert.equal(e.code, 0, e.stderr);

  const lines = logLines(log);
  assert.equal(lines.length, 40);
  let holder: string | undefined;
  const ran = new Set<string>();
  for (const [what, pid] of lines) {
    if (what === 'enter') {
      assert.equal(holder, undefined, `${pid} entered while ${holder} held the lock`);
      holder = pid;
      ran.add(pid);
    } else {
      assert.equal(pid, holder, `${pid} left a lock it did not hold`);
      holder = undefined;
    }
  }
  assert.equal(ran.size, 20);
  assert.equal(existsSync(lockPath(dir, KEY)), false, 'the last holder removes the lock');
});

test('a lock left by a holder killed with SIGKILL is taken over', { timeout: 60_000 }, async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'log');
  const holder = child(['hold', dir, KEY, log, String(TEST_STALE_MS), '0']);
  t.after(() => holder.proc.kill('SIGKILL'));
  await holder.said('locked');
  // The waiter must first find the lock alive (onWait), then outlive its holder.
  const waiter = child(['wait', dir, KEY, log, String(TEST_STALE_MS), '30000']);
  await waiter.said('waiting');
  holder.proc.kill('SIGKILL');
  assert.equal((await holder.exit).signal, 'SIGKILL');
  const w = await waiter.exit;
  assert.equal(w.code, 0, `the waiter did not get the lock within 30 s: ${w.stderr}`);
  assert.deepEqual(w.stdout.split('\n').filter(Boolean), ['waiting', 'acquired']);
  assert.deepEqual(
    logLines(log).map(([what]) => what),
    ['waiter-enter'],
  );
});

test('a live holder keeps its lock for longer than the stale time', { timeout: 60_000 }, async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'log');
  // Held 2.5 × stale: the holder's mtime refresh must keep the waiter out all along.
  const holder = child(['hold', dir, KEY, log, String(TEST_STALE_MS), String(TEST_STALE_MS * 2.5)]);
  t.after(() => holder.proc.kill('SIGKILL'));
  await holder.said('locked');
  const waiter = child(['wait', dir, KEY, log, String(TEST_STALE_MS), '30000']);
  const [h, w] = await Promise.all([holder.exit, waiter.exit]);
  assert.equal(h.code, 0, h.stderr);
  assert.equal(w.code, 0, w.stderr);
  assert.match(w.stdout, /^waiting\nacquired\n$/);
  assert.deepEqual(
    logLines(log).map(([what]) => what),
    ['holder-exit', 'waiter-enter'],
  );
});

test('giving up after timeoutMs names the lock file and what to do', async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  let waits = 0;
  await withKeyLock(dir, KEY, async () => {
    await assert.rejects(
      withKeyLock(dir, KEY, async () => 'never', { timeoutMs: 300, onWait: () => waits++ }),
      (err: Error) => {
        assert.equal(err.message, `another kubecred has held ${lockPath(dir, KEY)} for 300ms; remove it if no kubecred is running`);
        return true;
      },
    );
  });
  assert.equal(waits, 1, 'onWait is called once');
});

test("the lock is released when fn throws, and fn's error comes through", async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  await assert.rejects(
    withKeyLock(dir, KEY, async () => {
      assert.equal(existsSync(lockPath(dir, KEY)), true);
      throw new Error('login failed');
    }),
    /login failed/,
  );
  assert.equal(existsSync(lockPath(dir, KEY)), false);
  let waited = false;
  assert.equal(await withKeyLock(dir, KEY, async () => 42, { onWait: () => (waited = true) }), 42);
  assert.equal(waited, false);
});

test('a waiter wakes when the holder releases, not when a poll comes round', { timeout: 30_000 }, async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  let releaseHolder!: () => void;
  const holding = new Promise<void>((r) => (releaseHolder = r));
  let entered!: () => void;
  const holderIn = new Promise<void>((r) => (entered = r));
  const holder = withKeyLock(dir, KEY, async () => {
    entered();
    await holding;
  });
  await holderIn;
  const order: string[] = [];
  // A poll of 10 minutes: only the directory watch can let this waiter in before the test times out.
  const waiter = withKeyLock(dir, KEY, async () => void order.push('waiter'), { pollMs: 600_000, onWait: () => order.push('waiting') });
  await new Promise((r) => setTimeout(r, 100));
  order.push('release');
  releaseHolder();
  await holder;
  await waiter;
  assert.deepEqual(order, ['waiting', 'release', 'waiter']);
  assert.equal(existsSync(lockPath(dir, KEY)), false);
});

test('a lock interrupted by SIGTERM is removed at once, and the holder dies of the signal', { timeout: 60_000 }, async (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const log = join(dir, 'log');
  const holder = child(['hold', dir, KEY, log, String(TEST_STALE_MS), '0']);
  t.after(() => holder.proc.kill('SIGKILL'));
  await holder.said('locked');
  assert.equal(existsSync(lockPath(dir, KEY)), true);
  holder.proc.kill('SIGTERM');
  assert.equal((await holder.exit).signal, 'SIGTERM');
  assert.equal(existsSync(lockPath(dir, KEY)), false, 'no stale lock left for the next kubectl to wait out');
});
