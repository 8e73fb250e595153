// The real infrastructure: stderr logger, system clock, TTY prompt, browser launcher.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Browser, Infrastructure, Logger, Prompt } from './types.js';
import { NeedsInteractionError } from '../shared/errors.js';
import { childEnvironment, withoutSecretVariables } from './child-env.js';
import { createFetch } from './http.js';

export function stderrLogger(verbose: boolean, stream: NodeJS.WritableStream = process.stderr): Logger {
  return {
    info: (m) => void stream.write(`${m}\n`),
    warn: (m) => void stream.write(`kubecred: warning: ${m}\n`),
    debug: (m) => {
      if (verbose) stream.write(`kubecred: ${m}\n`);
    },
  };
}

/** Prompts on the terminal kubectl handed us (stdin), writing the question to stderr. */
export function ttyPrompt(allowed: boolean): Prompt {
  const available = allowed && process.stdin.isTTY === true;
  const ask = (question: string, hidden: boolean) =>
    new Promise<string>((resolve, reject) => {
      if (!available) {
        reject(new NeedsInteractionError('no terminal to ask on'));
        return;
      }
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
  return {
    available,
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
      const { default: open } = await import('open');
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
    http: { fetcher: createFetch },
    stderrIsTTY: process.stderr.isTTY === true,
  };
}
