// A client of the running oidc-agent (the usual IAM command-line tool), over its documented UNIX
// socket API: one JSON request `{"request":"access_token","account":…,"min_valid_period":…,
// "audience":…}`, one JSON answer `{"status":"success","access_token":…,"issuer":…,"expires_at":…}`
// or `{"status":"failure","error":…}`. The socket comes from OIDC_SOCK and must be ours.
import { lstatSync } from 'node:fs';
import { createConnection } from 'node:net';
import * as z from 'zod/mini';
import { KubecredError } from '../../shared/errors.js';
import { scrubServerText } from './registration.js';

export interface AgentTokenRequest {
  socketPath: string | undefined;
  account: string;
  /** Seconds the token must still be valid for (the agent refreshes otherwise). */
  minValidSeconds: number;
  audience?: string;
  scopes?: string[];
  /** The agent may ask its user to unlock the account: wait this long. */
  timeoutMs: number;
}

export interface AgentToken {
  accessToken: string;
  issuer?: string;
  expiresAt: Date;
}

const answer = z.object({
  status: z.string(),
  access_token: z.optional(z.string()),
  issuer: z.optional(z.string()),
  expires_at: z.optional(z.number()),
  error: z.optional(z.string()),
});

function checkSocket(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    throw new KubecredError(`no oidc-agent is listening at OIDC_SOCK=${path}: start one with eval $(oidc-agent) and oidc-add your account`);
  }
  if (!st.isSocket()) throw new KubecredError(`OIDC_SOCK=${path} is not a socket: start oidc-agent again (eval $(oidc-agent))`);
  // Another user's socket could hand us their tokens (or collect our requests): never talk to it.
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new KubecredError(`OIDC_SOCK=${path} belongs to another user: kubecred talks only to your own oidc-agent`);
  }
}

function exchange(path: string, request: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let text = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new KubecredError(
          `oidc-agent did not answer within ${Math.round(timeoutMs / 1000)}s (is it waiting for you to unlock the account?)`,
        ),
      );
    }, timeoutMs);
    const done = (fn: () => void) => {
      clearTimeout(timer);
      socket.destroy();
      fn();
    };
    socket.on('connect', () => socket.write(request));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      try {
        JSON.parse(text);
        done(() => resolve(text));
      } catch {
        // wait for the rest
      }
    });
    socket.on('end', () => done(() => resolve(text)));
    socket.on('error', (err: NodeJS.ErrnoException) =>
      done(() =>
        reject(new KubecredError(`cannot reach oidc-agent at ${path} (${err.code ?? err.message}): start it with eval $(oidc-agent)`)),
      ),
    );
  });
}

export async function agentAccessToken(request: AgentTokenRequest, nowMs: number): Promise<AgentToken> {
  const path = request.socketPath;
  if (!path) {
    throw new KubecredError(
      '--oidc-agent-account needs a running oidc-agent, but OIDC_SOCK is not set: run eval $(oidc-agent) and oidc-add your account',
    );
  }
  checkSocket(path);
  const body: Record<string, unknown> = {
    request: 'access_token',
    account: request.account,
    min_valid_period: Math.max(0, Math.ceil(request.minValidSeconds)),
    application_hint: 'kubecred',
  };
  if (request.audience) body.audience = request.audience;
  if (request.scopes?.length) body.scope = request.scopes.join(' ');
  const text = await exchange(path, JSON.stringify(body), request.timeoutMs);
  let parsed: z.infer<typeof answer>;
  try {
    parsed = answer.parse(JSON.parse(text));
  } catch {
    throw new KubecredError(`oidc-agent at ${path} gave an answer kubecred does not understand`);
  }
  if (parsed.status !== 'success' || !parsed.access_token) {
    const error = scrubServerText(parsed.error ?? parsed.status);
    if (/no account|not loaded|account.*not found/i.test(error)) {
      throw new KubecredError(
        `oidc-agent has no account ${JSON.stringify(request.account)} loaded (${error}): run oidc-add ${request.account} (or oidc-gen ${request.account} to create it)`,
      );
    }
    throw new KubecredError(`oidc-agent refused a token for account ${JSON.stringify(request.account)}: ${error}`);
  }
  // expires_at 0 means "unknown" to the agent: assume the minimum it promised.
  const expiresAt = parsed.expires_at ? new Date(parsed.expires_at * 1000) : new Date(nowMs + (request.minValidSeconds + 60) * 1000);
  return { accessToken: parsed.access_token, issuer: parsed.issuer, expiresAt };
}
