// The IdP as kubecred sees it: discovery metadata and the JWKS, both kept in the cache entry's meta
// so that a refresh costs exactly one request (to the token endpoint). Discovery runs again only
// when there is no usable meta, for `kubecred login`, or after a request with cached metadata failed
// in a way stale metadata could explain; the JWKS is fetched again only for an unknown key id.
import * as oidc from 'openid-client';
import type { Logger } from '../../infra/types.js';
import type { FetchFunction } from '../../infra/http.js';
import type { Infrastructure } from '../../infra/types.js';
import { KubecredError, UsageError } from '../../shared/errors.js';
import { describeOidcError } from './errors.js';
import { rememberSecret } from '../../shared/scrub.js';
import { checkSignature, isJwkSet, type JwkSet } from './jws.js';
import { isLoopbackHost, type OidcSettings } from './settings.js';

/** What kubecred keeps with the token (never a secret). */
export interface OidcMeta {
  v: 1;
  server: Record<string, unknown>;
  discoveredAt: string;
  jwks?: JwkSet;
  jwksFetchedAt?: string;
  /** Subject of the last ID token: a refreshed ID token must speak for the same person. */
  sub?: string;
}

/** The discovery fields kubecred uses; the rest of a (often large) document is not cached. */
const KEPT_FIELDS = [
  'issuer',
  'authorization_endpoint',
  'token_endpoint',
  'device_authorization_endpoint',
  'revocation_endpoint',
  'jwks_uri',
  'userinfo_endpoint',
  'end_session_endpoint',
  'scopes_supported',
  'code_challenge_methods_supported',
  'id_token_signing_alg_values_supported',
  'token_endpoint_auth_methods_supported',
  'grant_types_supported',
  'revocation_endpoint_auth_methods_supported',
  'authorization_response_iss_parameter_supported',
];

export function parseMeta(value: unknown): OidcMeta | undefined {
  const m = value as Partial<OidcMeta> | undefined;
  if (!m || m.v !== 1 || typeof m.server !== 'object' || m.server === null) return undefined;
  if (typeof m.server.issuer !== 'string' || typeof m.server.token_endpoint !== 'string') return undefined;
  return { ...m, jwks: isJwkSet(m.jwks) ? m.jwks : undefined } as OidcMeta;
}

function trimServer(server: oidc.ServerMetadata): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const field of KEPT_FIELDS)
    if ((server as Record<string, unknown>)[field] !== undefined) kept[field] = (server as Record<string, unknown>)[field];
  return kept;
}

function clientAuth(secret: string | undefined, server: Record<string, unknown>): oidc.ClientAuth {
  if (!secret) return oidc.None();
  const methods = server.token_endpoint_auth_methods_supported;
  // client_secret_basic is the default the spec gives; use post only when the IdP offers nothing else.
  if (Array.isArray(methods) && !methods.includes('client_secret_basic') && methods.includes('client_secret_post')) {
    return oidc.ClientSecretPost(secret);
  }
  return oidc.ClientSecretBasic(secret);
}

export class IdpClient {
  private meta: OidcMeta | undefined;
  private configuration: oidc.Configuration | undefined;
  /** Whether this process already fetched discovery (then a failure cannot be stale metadata). */
  private discoveredNow = false;
  private jwksFetchedNow = false;
  readonly fetch: FetchFunction;
  private readonly log: Logger;

  constructor(
    private readonly settings: OidcSettings,
    private readonly clientSecret: string | undefined,
    infra: Pick<Infrastructure, 'env' | 'log' | 'http'>,
    cached: OidcMeta | undefined,
  ) {
    this.log = infra.log;
    const issuer = new URL(settings.issuerUrl);
    if (issuer.username || issuer.password) {
      throw new UsageError('--issuer-url must not contain a user name or password: drop the user:password@ part');
    }
    if (issuer.protocol === 'http:' && !isLoopbackHost(issuer.hostname)) {
      throw new KubecredError(`--issuer-url ${settings.issuerUrl} uses plain http: kube-apiserver accepts only https issuers`);
    }
    const base = infra.http.fetcher({
      caFiles: settings.caFiles,
      caData: settings.caData,
      insecureSkipTlsVerify: settings.insecureSkipTlsVerify,
      timeoutMs: settings.requestTimeoutMs,
      env: infra.env,
      caFlag: '--oidc-ca-file',
      insecureFlag: '--oidc-insecure-skip-tls-verify',
      warn: (m) => infra.log.warn(m),
    });
    const extra = settings.requestHeaders;
    this.fetch = extra.length
      ? (url, init = {}) => {
          const headers = new Headers(init.headers);
          for (const [k, v] of extra) headers.set(k, v);
          return base(url, { ...init, headers });
        }
      : base;
    this.meta = cached;
    rememberSecret(clientSecret);
  }

  /** The metadata to store with the new token. */
  currentMeta(): OidcMeta | undefined {
    return this.meta;
  }

  get usedCachedMetadata(): boolean {
    return !this.discoveredNow;
  }

  private insecure(): boolean {
    return new URL(this.settings.issuerUrl).protocol === 'http:';
  }

  private prepare(config: oidc.Configuration): oidc.Configuration {
    config[oidc.customFetch] = this.fetch as unknown as oidc.CustomFetch;
    config.timeout = Math.ceil(this.settings.requestTimeoutMs / 1000);
    if (this.insecure()) oidc.allowInsecureRequests(config);
    return config;
  }

  async config(): Promise<oidc.Configuration> {
    if (this.configuration) return this.configuration;
    if (!this.meta) await this.discover();
    const server = this.meta!.server as unknown as oidc.ServerMetadata;
    const metadata = this.clientSecret ? { client_secret: this.clientSecret } : undefined;
    this.configuration = this.prepare(
      new oidc.Configuration(server, this.settings.clientId, metadata, clientAuth(this.clientSecret, this.meta!.server)),
    );
    return this.configuration;
  }

  /** Fetches discovery now. Returns whether the endpoints differ from what was cached. */
  async discover(): Promise<boolean> {
    const before = this.meta ? JSON.stringify(this.meta.server) : undefined;
    this.log.debug(`fetching OIDC discovery of ${this.settings.issuerUrl}`);
    let discovered: oidc.Configuration;
    try {
      discovered = await oidc.discovery(new URL(this.settings.issuerUrl), this.settings.clientId, undefined, oidc.None(), {
        [oidc.customFetch]: this.fetch as unknown as oidc.CustomFetch,
        timeout: Math.ceil(this.settings.requestTimeoutMs / 1000),
        execute: this.insecure() ? [oidc.allowInsecureRequests] : [],
      });
    } catch (err) {
      throw describeOidcError(err, `discovery of ${this.settings.issuerUrl}`, this.settings.clientId);
    }
    const server = trimServer(discovered.serverMetadata());
    const sameJwks = this.meta?.server.jwks_uri === server.jwks_uri;
    this.meta = {
      v: 1,
      server,
      discoveredAt: new Date().toISOString(),
      jwks: sameJwks ? this.meta?.jwks : undefined,
      jwksFetchedAt: sameJwks ? this.meta?.jwksFetchedAt : undefined,
      sub: this.meta?.sub,
    };
    this.discoveredNow = true;
    this.configuration = undefined;
    return before !== undefined && before !== JSON.stringify(server);
  }

  private async fetchJwks(): Promise<JwkSet> {
    const uri = this.meta?.server.jwks_uri;
    if (typeof uri !== 'string')
      throw new KubecredError(`the IdP ${this.settings.issuerUrl} publishes no jwks_uri, so its ID tokens cannot be verified`);
    this.log.debug(`fetching the IdP's signing keys from ${uri}`);
    const response = await this.fetch(uri, { headers: { accept: 'application/json, application/jwk-set+json' } });
    if (!response.ok) throw new KubecredError(`fetching the IdP's signing keys: ${new URL(uri).host} answered HTTP ${response.status}`);
    let body: unknown;
    try {
      body = await response.json();
    } catch (err) {
      if (err instanceof KubecredError) throw err; // too large
      throw new KubecredError(`fetching the IdP's signing keys: ${new URL(uri).host} did not answer with JSON`);
    }
    if (!isJwkSet(body)) throw new KubecredError(`fetching the IdP's signing keys: ${uri} is not a JWK set`);
    this.meta = { ...this.meta!, jwks: body, jwksFetchedAt: new Date().toISOString() };
    this.jwksFetchedNow = true;
    return body;
  }

  /** Verifies the ID token's signature with the cached JWKS, fetching it only for an unknown key. */
  async verifyIdTokenSignature(idToken: string): Promise<void> {
    let check = checkSignature(idToken, this.meta?.jwks);
    if (check.result === 'no-key' && !this.jwksFetchedNow) check = checkSignature(idToken, await this.fetchJwks());
    if (check.result === 'no-key') {
      throw new KubecredError(
        `the ID token is signed with key ${JSON.stringify(check.kid ?? '?')}, which the IdP does not publish; refusing it`,
      );
    }
    if (check.result === 'invalid') throw new KubecredError(`the ID token is not genuine: ${check.reason}; refusing it`);
  }

  rememberSubject(sub: string): void {
    if (this.meta) this.meta = { ...this.meta, sub };
  }
}
