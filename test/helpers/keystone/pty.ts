// Runs a command on a pseudo-terminal with util-linux `script` (node-pty is not installed), typing
// answers when their prompt appears — never before, or the terminal would echo them.
import { spawn } from 'node:child_process';

export interface PtyAnswer {
  prompt: RegExp;
  /** What to type (a newline is added); a function is called when the prompt shows (TOTP codes). */
  text: string | (() => string);
}

export interface PtyResult {
  code: number | null;
  /** Everything the terminal showed (stdout and stderr of the command). */
  output: string;
}

export function shellQuote(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function runInPty(
  argv: string[],
  options: { env: Record<string, string | undefined>; answers?: PtyAnswer[]; timeoutMs?: number },
): Promise<PtyResult> {
  const answers = [...(options.answers ?? [])];
  const command = argv.map(shellQuote).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: options.env as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    let seen = 0;
    const onData = (d: Buffer) => {
      output += d.toString('utf8');
      const next = answers[0];
      if (next && next.prompt.test(output.slice(seen))) {
        answers.shift();
        seen = output.length;
        child.stdin.write((typeof next.text === 'function' ? next.text() : next.text) + '\r');
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}
