// The real infrastructure: stderr logger, system clock, TTY prompt, browser launcher.
// node:child_process and node:readline are imported where they are used: a refresh, which needs
// neither, would pay ~6 ms to load them.
import type { Browser, Infrastructure, Logger, Prompt } from './types.js';
import { NeedsInteractionError } from '../shared/errors.js';
import { childEnvironment, withoutSecretVariables } from './child-env.js';
import { importEsm } from './esm-import.js';
import { writeFd } from './stdio.js';
import { createFetch } from './http.js';
import { createRawRequest } from './raw-http.js';

export function stderrLogger(verbose: boolean, stream?: NodeJS.WritableStream): Logger {
  // Without a stream, straight to fd 2: process.stderr would build its stream (see stdio.ts).
  const write = (text: string) => (stream ? void stream.write(text) : writeFd(2, text));
  return {
    info: (m) => write(`${m}\n`),
    warn: (m) => write(`kubecred: warning: ${m}\n`),
    debug: (m) => {
      if (verbose) write(`kubecred: ${m}\n`);
    },
  };
}

/** Prompts on the terminal kubectl handed us (stdin), writing the question to stderr. */
export function ttyPrompt(allowed: boolean): Prompt {
  // Asked when needed: process.stdin builds its stream (tty, net) on first touch, which a refresh
  // that prompts for nothing must not pay.
  const isAvailable = () => allowed && process.stdin.isTTY === true;
  const ask = async (question: string, hidden: boolean) => {
    if (!isAvailable()) throw new NeedsInteractionError('no terminal to ask on');
    const { createInterface } = await import('node:readline');
    return new Promise<string>((resolve, reject) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
      if (hidden) {
        // Echo nothing of what is typed; readline still prints the question.
        (rl as unknown as { _writeToOutput: (s: string) => void })._writeToOutput = (s: string) => {
          if (s.startsWith(question)) process.stderr.write(question);
        };
      }
      rl.question(question, (answer) => {
        rl.close();
        if (hidden) process.stderr.write('\n');
        resolve(answer);
      });
      rl.on('SIGINT', () => {
        rl.close();
        reject(new NeedsInteractionError('prompt cancelled'));
      });
    });
  };
  return {
    get available() {
      return isAvailable();
    },
    secret: (q) => ask(q, true),
    line: (q) => ask(q, false),
  };
}

/**
 * --browser-command gets the URL as its last argument (split on spaces, no shell); otherwise the
 * `open` package picks the system browser.
 */
export function systemBrowser(): Browser {
  return {
    async open(url, command) {
      if (command) {
        const [file, ...args] = command.trim().split(/\s+/);
        const { spawn } = await import('node:child_process');
        const child = spawn(file!, [...args, url], {
          stdio: ['ignore', 'ignore', 'inherit'],
          detached: true,
          env: childEnvironment(process.env),
        });
        await new Promise<void>((resolve, reject) => {
          child.once('spawn', () => resolve());
          child.once('error', (err) => reject(new Error(`cannot run --browser-command ${file}: ${err.message}`)));
        });
        child.unref();
        return;
      }
      const { default: open } = await importEsm<typeof import('open')>('open');
      const child = await withoutSecretVariables(() => open(url, { wait: false }));
      child.unref();
    },
  };
}

export function nodeInfrastructure(options: {
  verbose: boolean;
  interactive: boolean;
  env?: Record<string, string | undefined>;
}): Infrastructure {
  return {
    clock: { now: () => Date.now() },
    log: stderrLogger(options.verbose),
    prompt: ttyPrompt(options.interactive),
    browser: systemBrowser(),
    env: options.env ?? process.env,
    http: { fetcher: createFetch, rawRequest: createRawRequest },
    get stderrIsTTY() {
      return process.stderr.isTTY === true;
    },
  };
}
