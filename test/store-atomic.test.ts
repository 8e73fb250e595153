// writeFileAtomic under kill -9, file/dir modes, and the refusal to follow planted symlinks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ensurePrivateDir, readPrivateFile, writeFileAtomic } from '../src/store/atomic-file.js';
import { readEntry } from '../src/store/token-cache.js';
import { tokenFile } from '../src/store/paths.js';
import { atomicContent } from './helpers/store/atomic-contents.js';

const KILLS = 200;
const LANES = 2;
const posix = process.platform !== 'win32';

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'kubecred-atomic-'));
}

/** Spawns the writer, waits for "go", lets it run a random few ms, then SIGKILLs it. */
function killOneWriter(script: string, target: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, target], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let started = false;
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.on('data', () => {
      if (started) return;
      started = true;
      setTimeout(() => child.kill('SIGKILL'), Math.random() * 8);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`writer exited by itself (code ${code}): ${stderr}`));
    });
  });
}

test(
  'writeFileAtomic leaves one of the two contents after every kill -9',
  { skip: !posix && 'POSIX signals', timeout: 120_000 },
  async (t) => {
    const dir = tempDir();
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    // One plain-JS bundle of the writer: ~200 spawns at node start-up cost instead of tsx's.
    const script = join(dir, 'atomic-writer.mjs');
    await build({
      entryPoints: [fileURLToPath(new URL('./helpers/store/atomic-writer.ts', import.meta.url))],
      outfile: script,
      bundle: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'warning',
    });
    const a = atomicContent('A');
    const b = atomicContent('B');
    const seen = { A: 0, B: 0 };

    await Promise.all(
      Array.from({ length: LANES }, async (_, lane) => {
        const laneDir = join(dir, `lane${lane}`);
        ensurePrivateDir(laneDir);
        const target = join(laneDir, 'entry.json');
        writeFileAtomic(target, a);
        for (let i = 0; i < KILLS / LANES; i++) {
          await killOneWriter(script, target);
          const text = readFileSync(target, 'utf8');
          if (text === a) seen.A++;
          else if (text === b) seen.B++;
          else
            assert.fail(
              `after kill ${i} in lane ${lane} the file is torn: ${text.length} bytes, starts ${JSON.stringify(text.slice(0, 40))}`,
            );
          assert.equal(statSync(target).mode & 0o777, 0o600);
        }
      }),
    );
    assert.equal(seen.A + seen.B, KILLS);
    // Both contents must show up, or the writer never really raced the kills.
    assert.ok(seen.A > 0 && seen.B > 0, `saw A ${seen.A} times and B ${seen.B} times`);
    const leftovers = [0, 1].flatMap((lane) => readdirSync(join(dir, `lane${lane}`)).filter((n) => n.endsWith('.tmp')));
    // Acceptable: a writer killed between open and rename leaves its temp file behind.
    t.diagnostic(`A ${seen.A}, B ${seen.B}; ${leftovers.length} temp files left behind by killed writers`);
  },
);

test('files are 0600 and the dir 0700; an existing 0755 dir of ours is tightened', { skip: !posix && 'POSIX modes' }, (t) => {
  const root = tempDir();
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const fresh = join(root, 'fresh', 'nested');
  ensurePrivateDir(fresh);
  assert.equal(statSync(fresh).mode & 0o777, 0o700);
  const file = join(fresh, 'f.json');
  const oldUmask = process.umask(0);
  try {
    writeFileAtomic(file, 'x');
  } finally {
    process.umask(oldUmask);
  }
  assert.equal(statSync(file).mode & 0o777, 0o600);

  const open = join(root, 'open');
  mkdirSync(open);
  chmodSync(open, 0o755);
  ensurePrivateDir(open);
  assert.equal(statSync(open).mode & 0o777, 0o700);
});

test('a symlink planted at the target is replaced, its target left untouched', { skip: !posix && 'symlinks' }, (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const victim = join(dir, 'victim');
  writeFileSync(victim, 'precious');
  const target = join(dir, 'entry.json');
  symlinkSync(victim, target);
  writeFileAtomic(target, 'new content');
  assert.equal(lstatSync(target).isSymbolicLink(), false);
  assert.equal(readFileSync(target, 'utf8'), 'new content');
  assert.equal(readFileSync(victim, 'utf8'), 'precious');
});

test('readPrivateFile refuses a symlink; readEntry of a symlink is corrupt', { skip: !posix && 'symlinks' }, (t) => {
  const dir = tempDir();
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const real = join(dir, 'real.json');
  writeFileSync(real, JSON.stringify({ v: 1, storage: 'disk', expiresAt: new Date().toISOString(), credential: { token: 't' } }));
  const key = 'a'.repeat(64);
  symlinkSync(real, tokenFile(dir, key));
  assert.throws(
    () => readPrivateFile(tokenFile(dir, key)),
    (err: NodeJS.ErrnoException) => err.code === 'ELOOP',
  );
  const read = readEntry(dir, key);
  assert.equal(read.status, 'corrupt');
  assert.match(read.status === 'corrupt' ? read.problem : '', /symlink/);
});
