// Secrets handed to setup-context on stdin (`--password-stdin`, `--client-secret-stdin`): never argv.
/** All of stdin, less the one trailing newline `echo pw |` or a here-string adds. */
export async function readSecretFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}
