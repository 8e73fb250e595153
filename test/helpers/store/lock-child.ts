// Child for store-locks.test.ts.
//   contend <dir> <key> <log>             enter/exit lines in <log> under the lock, with a pause
//   hold <dir> <key> <log> <staleMs> <holdMs>  take the lock, print "locked", keep it holdMs
//                                          (forever when holdMs is 0), then log "holder-exit"
//   wait <dir> <key> <log> <staleMs> <timeoutMs>  print "waiting" on onWait, log "waiter-enter"
// Lines printed on stdout: "locked", "waiting", "acquired"; errors on stderr, exit code 1.
import { appendFileSync } from 'node:fs';
import { withKeyLock } from '../../../src/store/lock.js';

const [mode, dir, key, log, a, b] = process.argv.slice(2);
if (!mode || !dir || !key || !log) throw new Error('usage: lock-child <mode> <dir> <key> <log> …');
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const line = (s: string) => appendFileSync(log, `${s} ${process.pid}\n`);

try {
  if (mode === 'contend') {
    await withKeyLock(dir, key, async () => {
      line('enter');
      await sleep(15);
      line('exit');
    });
  } else if (mode === 'hold') {
    const holdMs = Number(b);
    await withKeyLock(
      dir,
      key,
      async () => {
        process.stdout.write('locked\n');
        if (holdMs === 0) await new Promise(() => setInterval(() => {}, 1 << 30));
        await sleep(holdMs);
        line('holder-exit');
      },
      { staleMs: Number(a) },
    );
  } else if (mode === 'wait') {
    await withKeyLock(
      dir,
      key,
      async () => {
        line('waiter-enter');
        process.stdout.write('acquired\n');
      },
      { staleMs: Number(a), timeoutMs: Number(b), onWait: () => process.stdout.write('waiting\n') },
    );
  } else {
    throw new Error(`unknown mode ${mode}`);
  }
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exitCode = 1;
}
