// What every demo step shares: one throw-away HOME (kubeconfig, token cache, secret files), the
// commands as a person would type them with their exit code and time, and one list of things to
// undo (servers, children, temp dirs) that runs on success, failure and Ctrl-C alike.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { KubectlInfo } from '../../test/fixtures/kubectl.js';

export const repo = resolve(import.meta.dirname, '..', '..');
const launcher = join(repo, 'bin', 'kubecred.cjs');

export interface RunOptions {
  /** Piped to stdin (a password for --password-stdin); never shown. */
  input?: string;
  /** Shown instead of the real argv, e.g. with a long generated path shortened. */
  shown?: string;
  /** A non-zero exit is what this step expects to see (not a failure). */
  allowFailure?: boolean;
  /** Output is collected (and still shown): for steps that read it, or output without a final newline. */
  capture?: boolean;
}

export interface RunResult {
  code: number | null;
  ms: number;
  stdout: string;
}

export interface DemoContext {
  name: string;
  provider: string;
  /** Counters of the provider's server (token requests, logins): shown around the last kubectl run. */
  activity?: () => Record<string, number>;
}

export class StepFailed extends Error {}

/** A command-line word as a person would type it in a POSIX shell. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export class DemoSession {
  readonly home = mkdtempSync(join(tmpdir(), 'kubecred-demo-'));
  readonly env: Record<string, string>;
  /** Contexts the provider steps wrote, for the tour at the end (whoami, a new login). */
  readonly contexts: DemoContext[] = [];
  private readonly cleanups: Array<() => unknown> = [];
  private readonly children = new Set<ChildProcess>();
  /** Set once cleanup starts (Ctrl-C): nothing new is started after that. */
  private closing = false;

  constructor(
    readonly kubectl: KubectlInfo,
    readonly options: { realBrowser: boolean },
  ) {
    const { DBUS_SESSION_BUS_ADDRESS: _keyring, KUBECONFIG: _k, KUBECACHEDIR: _c, ...inherited } = process.env as Record<string, string>;
    this.env = {
      ...inherited,
      HOME: this.home,
      KUBECONFIG: join(this.home, '.kube', 'config'),
      KUBECACHEDIR: join(this.home, '.kube', 'cache'),
      // `kubecred` and `kubectl-cred` on PATH, as `npm install -g kubecred` puts them there.
      PATH: `${join(this.home, 'bin')}:${process.env.PATH ?? ''}`,
    };
    mkdirSync(join(this.home, 'bin'));
    symlinkSync(launcher, join(this.home, 'bin', 'kubecred'));
    symlinkSync(join(repo, 'bin', 'kubectl-cred.cjs'), join(this.home, 'bin', 'kubectl-cred'));
    this.onCleanup(() => rmSync(this.home, { recursive: true, force: true }));
  }

  say(title: string): void {
    process.stdout.write(`\n\x1b[1m== ${title}\x1b[0m\n`);
  }

  note(line: string): void {
    process.stdout.write(`${line}\n`);
  }

  /** Registered last-in first-out: a server started after another is stopped before it. */
  onCleanup(fn: () => unknown): void {
    this.cleanups.push(fn);
  }

  tempDir(prefix: string): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.onCleanup(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }

  kubecred(title: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    return this.run(title, process.execPath, [launcher, ...args], options.shown ?? ['kubecred', ...args].map(shellWord).join(' '), options);
  }

  kubectlRun(title: string, args: string[], options: RunOptions = {}): Promise<RunResult> {
    return this.run(title, this.kubectl.path, args, options.shown ?? ['kubectl', ...args].map(shellWord).join(' '), options);
  }

  /**
   * Runs a child asynchronously (the IdP and API servers live in this very process), showing the
   * command, then its exit code and time. A non-zero exit fails the step unless allowed.
   */
  private async run(title: string, file: string, argv: string[], shown: string, options: RunOptions): Promise<RunResult> {
    if (this.closing) throw new StepFailed(`${title}: the demo is stopping`);
    process.stdout.write(`$ ${shown}\n`);
    const started = process.hrtime.bigint();
    // Its own process group, so cleanup can stop what it started too (kubectl → kubecred get-token).
    const child = spawn(file, argv, {
      env: this.env,
      cwd: this.home,
      detached: true,
      stdio: [options.input === undefined ? 'ignore' : 'pipe', options.capture ? 'pipe' : 'inherit', 'inherit'],
    });
    this.children.add(child);
    let stdout = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d;
      process.stdout.write(d);
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    const code = await new Promise<number | null>((done) => {
      child.on('error', () => done(127));
      child.on('close', (status) => done(status));
    });
    this.children.delete(child);
    // Output without a final newline (`get --raw /version`) would run into the status line.
    if (stdout && !stdout.endsWith('\n')) process.stdout.write('\n');
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    process.stdout.write(`\x1b[2m(${title}: exit ${code}, ${ms.toFixed(0)} ms)\x1b[0m\n`);
    if (code !== 0 && !options.allowFailure) throw new StepFailed(`${title} failed (exit ${code}): ${shown}`);
    return { code, ms, stdout };
  }

  /** Stops every child still running, then undoes everything registered, newest first. */
  async cleanup(): Promise<void> {
    this.closing = true;
    for (const child of this.children) {
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }
    for (const fn of this.cleanups.splice(0).reverse()) {
      try {
        await fn();
      } catch (err) {
        process.stderr.write(`demo: cleanup: ${(err as Error).message}\n`);
      }
    }
  }
}

/** One provider's part of the tour: a file in scripts/demo/, listed in scripts/demo.ts. */
export interface DemoStep {
  /** `oidc`, `keystone`, …: also the provider's setup-context kind. */
  name: string;
  title: string;
  /** Part of plain `npm run demo` (else only with --all). */
  inDefault: boolean;
  /** Why this machine cannot run the step (and how to change that), or undefined when it can. */
  unavailable(): Promise<string | undefined>;
  run(session: DemoSession): Promise<void>;
}
