// The few Keystone v3 calls kubecred makes, over the shared HTTP client (proxies, CA, timeouts).
// Request bodies carry secrets: nothing here ever puts a body, or a token, into a message.
import * as z from 'zod/mini';
import { isLoopbackHostname, type FetchFunction } from '../../infra/http.js';
import type { HttpPort } from '../../infra/types.js';
import { describeIssues } from '../../shared/validation.js';
import { KubecredError, UsageError } from '../../shared/errors.js';
import { scrubServerText } from '../../shared/scrub.js';

export interface TokenInfo {
  /** X-Subject-Token: the bearer token for the API server. */
  id: string;
  expiresAt: Date;
  methods: string[];
  user: { id: string; name?: string; domain?: { id?: string; name?: string } };
  project?: { id: string; name?: string; domain?: { id?: string; name?: string } };
  applicationCredential?: { id: string; name?: string };
}

/** The outcome of POST /auth/tokens that is not a token. */
export type Refusal =
  /** 401 with Openstack-Auth-Receipt: one more method (TOTP) is required. */
  { kind: 'receipt'; receipt: string; userId: string; required: string[][] } | { kind: 'refused'; status: number; message: string };

export interface ApplicationCredential {
  id: string;
  name: string;
  projectId?: string;
  /** Only in the answer to a creation. */
  secret?: string;
}

const named = z.object({
  id: z.string(),
  name: z.optional(z.string()),
  domain: z.optional(z.object({ id: z.optional(z.string()), name: z.optional(z.string()) })),
});

/** What kubecred reads of Keystone's token response; anything else in it is ignored. */
const TokenBody = z.object({
  token: z.object({
    methods: z.optional(z.array(z.string())),
    expires_at: z.string(),
    user: named,
    project: z.optional(named),
    application_credential: z.optional(z.object({ id: z.string(), name: z.optional(z.string()) })),
  }),
});

/** The body of a 401 that carries an Openstack-Auth-Receipt (MFA). */
const ReceiptBody = z.object({
  receipt: z.optional(z.object({ user: z.optional(z.object({ id: z.optional(z.string()) })) })),
  required_auth_methods: z.optional(z.array(z.array(z.string()))),
});

/** Keystone writes microseconds (`…48.000000Z`); Date.parse wants at most milliseconds. */
export function parseKeystoneTime(text: string): Date {
  const d = new Date(text.replace(/(\.\d{3})\d+/, '$1'));
  if (Number.isNaN(d.getTime())) throw new KubecredError(`Keystone sent an unreadable expiry ${JSON.stringify(scrubServerText(text, 60))}`);
  return d;
}

/** Keystone's own error message, scrubbed (it may echo our request) and clipped. */
async function errorMessage(res: Response): Promise<string> {
  const text = await res.text().catch(() => '');
  try {
    const doc = JSON.parse(text) as { error?: { message?: unknown } };
    if (doc.error?.message) return scrubServerText(doc.error.message);
  } catch {
    // not JSON: an HTML error page of a proxy, say
  }
  return `HTTP ${res.status}`;
}

export class KeystoneClient {
  readonly host: string;
  private readonly fetch: FetchFunction;

  constructor(
    readonly authUrl: string,
    options: {
      caFile?: string;
      insecure?: boolean;
      clientCert?: { certFile: string; keyFile: string };
      env: Record<string, string | undefined>;
      http: HttpPort;
    },
  ) {
    const url = new URL(authUrl);
    this.host = url.host;
    // A password or application-credential secret in clear text over the network: never.
    if (url.protocol === 'http:' && !isLoopbackHostname(url.hostname)) {
      throw new UsageError(
        `--auth-url ${authUrl} uses plain http to another machine, which would send the password in clear text: use its https:// URL`,
      );
    }
    const fetch = options.http.fetcher({
      caFiles: options.caFile ? [options.caFile] : [],
      insecureSkipTlsVerify: options.insecure,
      insecureFlag: '--insecure',
      clientCert: options.clientCert,
      env: options.env,
    });
    this.fetch = async (url, init) => {
      try {
        return await fetch(url, init);
      } catch (err) {
        // The generic advice names no flag; ours is --cacert.
        const message = (err as Error).message.replace(
          /: pass the CA that signed it \(see --help for the CA flag\)$/,
          ': pass the CA that signed it with --cacert FILE (or OS_CACERT)',
        );
        throw new KubecredError(`Keystone: ${message}`);
      }
    };
  }

  private url(path: string): string {
    return `${this.authUrl}${path}`;
  }

  /** POST /auth/tokens?nocatalog. */
  async issueToken(auth: Record<string, unknown>, receipt?: string): Promise<TokenInfo | Refusal> {
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (receipt) headers['openstack-auth-receipt'] = receipt;
    const res = await this.fetch(this.url('/auth/tokens?nocatalog'), { method: 'POST', headers, body: JSON.stringify({ auth }) });
    if (res.status === 201 || res.status === 200) return this.tokenFrom(res);
    const receiptHeader = res.headers.get('openstack-auth-receipt');
    if (res.status === 401 && receiptHeader) {
      const parsed = ReceiptBody.safeParse(await res.json().catch(() => undefined));
      if (!parsed.success)
        throw new KubecredError(
          `Keystone at ${this.host} sent an auth receipt kubecred cannot read (${describeIssues(parsed.error.issues)})`,
        );
      return {
        kind: 'receipt',
        receipt: receiptHeader,
        userId: parsed.data.receipt?.user?.id ?? '',
        required: parsed.data.required_auth_methods ?? [],
      };
    }
    if (res.status === 404) {
      throw new KubecredError(`Keystone: ${this.url('/auth/tokens')} does not exist: is ${this.authUrl} the Keystone v3 endpoint?`);
    }
    const message = await errorMessage(res);
    if (res.status >= 500) throw new KubecredError(`Keystone at ${this.host} failed (${res.status}: ${message}): try again later`);
    return { kind: 'refused', status: res.status, message };
  }

  private async tokenFrom(res: Response): Promise<TokenInfo> {
    const id = res.headers.get('x-subject-token');
    let doc: unknown;
    try {
      doc = await res.json();
    } catch (err) {
      if (err instanceof KubecredError) throw err; // larger than the cap
      doc = undefined;
    }
    if (!id)
      throw new KubecredError(
        `Keystone at ${this.host} answered without a token (no X-Subject-Token header): is ${this.authUrl} the Keystone v3 endpoint?`,
      );
    const parsed = TokenBody.safeParse(doc);
    if (!parsed.success) {
      throw new KubecredError(
        `Keystone at ${this.host} sent a token response kubecred cannot read (${describeIssues(parsed.error.issues)}): is ${this.authUrl} the Keystone v3 endpoint?`,
      );
    }
    const t = parsed.data.token;
    return {
      id,
      expiresAt: parseKeystoneTime(t.expires_at),
      methods: t.methods ?? [],
      user: t.user,
      project: t.project,
      applicationCredential: t.application_credential,
    };
  }

  private async call(
    method: string,
    path: string,
    token: string,
    extra: { headers?: Record<string, string>; body?: unknown } = {},
  ): Promise<Response> {
    return this.fetch(this.url(path), {
      method,
      headers: {
        accept: 'application/json',
        'x-auth-token': token,
        ...(extra.body ? { 'content-type': 'application/json' } : {}),
        ...extra.headers,
      },
      body: extra.body ? JSON.stringify(extra.body) : undefined,
    });
  }

  /** DELETE /auth/tokens: 'revoked', or 'invalid' when Keystone no longer knows it. */
  async revokeToken(token: string): Promise<'revoked' | 'invalid'> {
    const res = await this.call('DELETE', '/auth/tokens', token, { headers: { 'x-subject-token': token } });
    await res.body?.cancel();
    if (res.status === 204 || res.status === 200) return 'revoked';
    if (res.status === 401 || res.status === 404) return 'invalid';
    throw new KubecredError(`Keystone at ${this.host} did not revoke the token (HTTP ${res.status})`);
  }

  /** GET /auth/projects: the projects this token's user can scope to. */
  async listProjects(token: string): Promise<Array<{ id: string; name: string }>> {
    const res = await this.call('GET', '/auth/projects', token);
    if (res.status !== 200) {
      await res.body?.cancel();
      return [];
    }
    const doc = (await res.json().catch(() => ({}))) as { projects?: Array<{ id: string; name: string }> };
    return doc.projects ?? [];
  }

  async createApplicationCredential(
    token: string,
    userId: string,
    name: string,
    description: string,
  ): Promise<ApplicationCredential | 'exists'> {
    const res = await this.call('POST', `/users/${encodeURIComponent(userId)}/application_credentials`, token, {
      body: { application_credential: { name, description, expires_at: null } },
    });
    if (res.status === 409) {
      await res.body?.cancel();
      return 'exists';
    }
    if (res.status !== 201)
      throw new KubecredError(`Keystone refused to create application credential ${name} (HTTP ${res.status}: ${await errorMessage(res)})`);
    const doc = (await res.json()) as { application_credential: { id: string; name: string; project_id?: string; secret: string } };
    const ac = doc.application_credential;
    return { id: ac.id, name: ac.name, projectId: ac.project_id, secret: ac.secret };
  }

  async findApplicationCredential(
    token: string,
    userId: string,
    query: { id: string } | { name: string },
  ): Promise<ApplicationCredential | undefined> {
    const path =
      'id' in query
        ? `/users/${encodeURIComponent(userId)}/application_credentials/${encodeURIComponent(query.id)}`
        : `/users/${encodeURIComponent(userId)}/application_credentials?name=${encodeURIComponent(query.name)}`;
    const res = await this.call('GET', path, token);
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (res.status !== 200)
      throw new KubecredError(`Keystone: cannot look up the application credential (HTTP ${res.status}: ${await errorMessage(res)})`);
    const doc = (await res.json()) as {
      application_credential?: { id: string; name: string; project_id?: string };
      application_credentials?: Array<{ id: string; name: string; project_id?: string }>;
    };
    const ac = doc.application_credential ?? doc.application_credentials?.[0];
    return ac ? { id: ac.id, name: ac.name, projectId: ac.project_id } : undefined;
  }

  /** True when deleted, false when it was already gone. */
  async deleteApplicationCredential(token: string, userId: string, id: string): Promise<boolean> {
    const res = await this.call('DELETE', `/users/${encodeURIComponent(userId)}/application_credentials/${encodeURIComponent(id)}`, token);
    if (res.status === 204) return true;
    if (res.status === 404) return false;
    throw new KubecredError(`Keystone refused to delete application credential ${id} (HTTP ${res.status}: ${await errorMessage(res)})`);
  }
}
