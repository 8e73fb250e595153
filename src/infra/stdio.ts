// Writing to stdout and stderr without building process.stdout / process.stderr: building one
// costs a run ~8 ms when it is a pipe (kubectl reads our stdout through one), which is most of what
// a refresh spends outside Node's own start-up. writeSync is what the cache-hit path uses too.
import { writeSync } from 'node:fs';

/**
 * Writes all of `text` to fd 1 or 2. A descriptor that would block (EAGAIN: a non-blocking pipe that
 * is full) gets the rest through the stream, which waits for it. A failing stderr (EPIPE: nobody
 * reads it any more) is not worth failing the run for; a failing stdout is.
 */
export function writeFd(fd: 1 | 2, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EAGAIN') (fd === 1 ? process.stdout : process.stderr).write(bytes.subarray(offset));
    else if (fd === 1) throw err;
  }
}
