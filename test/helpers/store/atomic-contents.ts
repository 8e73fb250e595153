// The two contents the kill -9 test alternates between: same size, different at every byte that
// matters, so any torn or partial file differs from both.
export const CONTENT_BYTES = 200 * 1024;

export function atomicContent(which: 'A' | 'B'): string {
  const head = JSON.stringify({ v: 1, which, pad: '' }).slice(0, -2);
  const tail = '"}\n';
  return head + which.repeat(CONTENT_BYTES - head.length - tail.length) + tail;
}
