// Infrastructure the use cases need, injected so tests can swap any part (kubelogin's split).
import type { FetchFunction, HttpOptions } from './http.js';
import type { RawRequest } from './raw-http.js';
export interface Clock {
  now(): number;
}

export interface Logger {
  /** Progress for people, on stderr. */
  info(message: string): void;
  /** Only with -v. Callers never pass secrets. */
  debug(message: string): void;
  warn(message: string): void;
}

export interface Prompt {
  /** Whether a terminal is there to ask on (stdin and stderr are TTYs and kubectl allowed stdin). */
  readonly available: boolean;
  /** Reads a line with echo off. Throws when no terminal is available. */
  secret(question: string): Promise<string>;
  /** Reads a line with echo on. */
  line(question: string): Promise<string>;
}

export interface Browser {
  /** Opens the URL with --browser-command or the system browser; resolves once started. */
  open(url: string, command?: string): Promise<void>;
}

/** The HTTP port: a fetch with proxy, CA and timeout handling (src/infra/http.ts), or a test's fake. */
export interface HttpPort {
  fetcher(options: HttpOptions): FetchFunction;
  /**
   * A bare request without fetch (src/infra/raw-http.ts) for the one request of a refresh; undefined
   * for options that need the full client (a proxy, …), or where the port offers none (a test's
   * fake): the caller then uses `fetcher`.
   */
  rawRequest?(options: HttpOptions): RawRequest | undefined;
}

export interface Infrastructure {
  clock: Clock;
  log: Logger;
  prompt: Prompt;
  browser: Browser;
  env: Record<string, string | undefined>;
  http: HttpPort;
  /** stderr is a terminal (QR codes, colours). */
  stderrIsTTY: boolean;
}
