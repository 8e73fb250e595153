// Child for store-atomic.test.ts: rewrites <path> with content A, B, A, B… as fast as it can until
// it is killed. Prints "go" once the loop starts. The test bundles this file with esbuild so that
// each of its ~200 spawns costs a plain node start-up, not a tsx one.
import { writeFileAtomic } from '../../../src/store/atomic-file.js';
import { atomicContent } from './atomic-contents.js';

const path = process.argv[2];
if (!path) throw new Error('usage: atomic-writer <path>');
const contents = [atomicContent('A'), atomicContent('B')].map((s) => Buffer.from(s, 'utf8'));
let i = Math.random() < 0.5 ? 0 : 1;
process.stdout.write('go\n');
for (;;) {
  writeFileAtomic(path, contents[i]!);
  i ^= 1;
}
