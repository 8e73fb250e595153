// The IdP as kubecred sees it: discovery metadata and the JWKS, both kept in the cache entry's meta
// so that a refresh costs exactly one request (to the token endpoint). Discovery runs again only
// when there is no usable meta, for `kubecred login`, or after a request with cached metadata failed
// in a way stale metadata could explain; the JWKS is fetched again only for an unknown key id.
import * as oidc from 'openid-client';
import type { Logger } from '../../infra/types.js';
import type { FetchFunction } from '../../infra/http.js';
import type { Infrastructure } from '../../infra/types.js';
import { KubecredError } from '../../shared/errors.js';
import { describeOidcError } from './errors.js';
import { rememberSecret } from '../../shared/scrub.js';
import { verifyWithKeys } from './jws.js';
import { jwksFromResponse, type JwkSet } from './jwt.js';
import { trimServer, type OidcMeta } from './meta.js';
import { idpHttpOptions } from './http-options.js';
import type { OidcSettings } from './settings.js';

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
  readonly fetch: FetchFunction;
  private readonly log: Logger;

  constructor(
    private readonly settings: OidcSettings,
    private readonly clientSecret: string | undefined,
    infra: Pick<Infrastructure, 'env' | 'log' | 'http'>,
    cached: OidcMeta | undefined,
  ) {
    this.log = infra.log;
    const base = infra.http.fetcher(idpHttpOptions(settings, infra));
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

  /** The discovery metadata (fetched now when none is cached). */
  async serverMetadata(): Promise<Record<string, unknown>> {
    return (await this.config()).serverMetadata() as Record<string, unknown>;
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
    const body = await jwksFromResponse(uri, response.status, () => response.json());
    this.meta = { ...this.meta!, jwks: body, jwksFetchedAt: new Date().toISOString() };
    return body;
  }

  /** Verifies the ID token's signature with the cached JWKS, fetching it only for an unknown key. */
  verifyIdTokenSignature(idToken: string): Promise<void> {
    return verifyWithKeys(idToken, this.meta?.jwks, () => this.fetchJwks());
  }

  rememberSubject(sub: string): void {
    if (this.meta) this.meta = { ...this.meta, sub };
  }
}
