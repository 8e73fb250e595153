// Dynamic client registration at INDIGO IAM (RFC 7591, managed per RFC 7592). IAM lets anyone
// register a client; kubecred registers one per issuer (and flow), keeps it in the secret store
// shared by every context on that issuer, and deletes it on `logout --unregister` when no context
// uses it any more. Only the client id ever leaves the secret store (into the exec args).
import * as z from 'zod/mini';
import { KubecredError } from '../../shared/errors.js';
import type { FetchFunction } from '../../infra/http.js';
import type { SecretStore } from '../../store/secret-store.js';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
export const CLIENT_NAME = 'kubecred';
export const BASE_SCOPES = ['openid', 'profile', 'email', 'offline_access'] as const;

export type RegistrationFlow = 'device-code' | 'authcode';

const registrationRecord = z.object({
  v: z.literal(1),
  issuer: z.string(),
  clientId: z.string().check(z.minLength(1)),
  clientSecret: z.optional(z.string()),
  registrationAccessToken: z.optional(z.string()),
  registrationClientUri: z.optional(z.string()),
  grantTypes: z.array(z.string()),
  redirectUris: z.array(z.string()),
  scope: z.string(),
  /** Contexts set up with this client: deleted by `logout --unregister` when the last one goes. */
  contexts: z.array(z.string()),
});
export type Registration = z.infer<typeof registrationRecord>;

const registrationResponse = z.object({
  client_id: z.string().check(z.minLength(1)),
  client_secret: z.optional(z.string()),
  registration_access_token: z.optional(z.string()),
  registration_client_uri: z.optional(z.string()),
  grant_types: z.optional(z.array(z.string())),
  redirect_uris: z.optional(z.array(z.string())),
  scope: z.optional(z.string()),
});

/** The secret store name of the registration for a flow (a device-only client cannot do authcode). */
export function registrationName(flow: RegistrationFlow): string {
  return flow === 'authcode' ? 'registration-authcode' : 'registration';
}

/** Every registration name, for logout and for finding a client by id. */
export const REGISTRATION_NAMES = [registrationName('device-code'), registrationName('authcode')];

export async function readRegistration(store: SecretStore, name: string): Promise<Registration | undefined> {
  const text = await store.get(name);
  if (!text) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  const result = registrationRecord.safeParse(parsed);
  return result.success ? result.data : undefined;
}

/** The stored registration whose client id this is, if kubecred registered it. */
export async function findRegistration(
  store: SecretStore,
  clientId: string,
): Promise<{ name: string; registration: Registration } | undefined> {
  for (const name of REGISTRATION_NAMES) {
    const registration = await readRegistration(store, name);
    if (registration?.clientId === clientId) return { name, registration };
  }
  return undefined;
}

export async function saveRegistration(store: SecretStore, name: string, registration: Registration): Promise<void> {
  await store.set(name, JSON.stringify(registrationRecord.parse(registration)));
}

const TOKENISH = /[A-Za-z0-9_\-+/=.~]{24,}/g;

/** What an IdP echoes back, made safe for one line: no control characters, no token-like strings, clipped. */
export function scrubServerText(text: unknown, max = 160): string {
  const flat = String(text ?? '')
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .replace(TOKENISH, '[…]')
    .replace(/\s+/g, ' ')
    .trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

export interface RegisterOptions {
  fetch: FetchFunction;
  issuer: string;
  endpoint: string;
  flow: RegistrationFlow;
  extraScopes: readonly string[];
  /** authcode: the loopback redirect URIs kubecred may listen on. */
  redirectUris: readonly string[];
}

async function errorOf(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: unknown; error_description?: unknown };
    if (body.error_description) return scrubServerText(body.error_description);
    if (body.error) return scrubServerText(body.error);
  } catch {
    // not JSON
  }
  return `HTTP ${response.status}`;
}

/** POSTs the client metadata; the IdP's refusal becomes one line with its error_description. */
export async function registerClient(options: RegisterOptions): Promise<Registration> {
  const host = new URL(options.endpoint).host;
  const scope = [...new Set([...BASE_SCOPES, ...options.extraScopes])].join(' ');
  const authcode = options.flow === 'authcode';
  const metadata = {
    client_name: CLIENT_NAME,
    application_type: 'native',
    grant_types: authcode ? ['authorization_code', DEVICE_CODE_GRANT, 'refresh_token'] : [DEVICE_CODE_GRANT, 'refresh_token'],
    response_types: authcode ? ['code'] : [],
    redirect_uris: authcode ? [...options.redirectUris] : [],
    token_endpoint_auth_method: 'client_secret_basic',
    scope,
  };
  const response = await options.fetch(options.endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(metadata),
  });
  if (response.status !== 201 && response.status !== 200) {
    throw new KubecredError(
      `${host} refused to register a client for kubecred: ${await errorOf(response)}; pass --client-id of a client registered there (ask its administrators)`,
    );
  }
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    throw new KubecredError(`registering a client at ${host}: the answer is not JSON; is --issuer-url the IAM's issuer?`);
  }
  const parsed = registrationResponse.safeParse(body);
  if (!parsed.success) throw new KubecredError(`registering a client at ${host}: the answer carries no client_id`);
  const r = parsed.data;
  return {
    v: 1,
    issuer: options.issuer,
    clientId: r.client_id,
    clientSecret: r.client_secret,
    registrationAccessToken: r.registration_access_token,
    registrationClientUri: r.registration_client_uri,
    grantTypes: r.grant_types ?? metadata.grant_types,
    redirectUris: r.redirect_uris ?? metadata.redirect_uris,
    scope: r.scope ?? scope,
    contexts: [],
  };
}

/** The scopes of `extraScopes` (+ the base ones) the registration does not have yet. */
export function missingScopes(registration: Registration, extraScopes: readonly string[]): string[] {
  const have = new Set(registration.scope.split(' '));
  return [...BASE_SCOPES, ...extraScopes].filter((s) => !have.has(s));
}

/**
 * RFC 7592 PUT: the registration with more scopes (a context asked for one the issuer's client
 * was not registered with). Returns the updated record; the IdP's refusal is one line.
 */
export async function addRegistrationScopes(
  fetch: FetchFunction,
  registration: Registration,
  scopes: readonly string[],
): Promise<Registration> {
  const uri = registration.registrationClientUri;
  const scope = [...new Set([...registration.scope.split(' '), ...scopes])].join(' ');
  if (!uri || !registration.registrationAccessToken) {
    throw new KubecredError(
      `client ${registration.clientId} lacks scope ${scopes.join(' ')} and the IAM gave no registration_client_uri to add it: drop --extra-scope, or add it in the IAM dashboard`,
    );
  }
  const authcode = registration.grantTypes.includes('authorization_code');
  const metadata: Record<string, unknown> = {
    client_id: registration.clientId,
    client_name: CLIENT_NAME,
    application_type: 'native',
    grant_types: registration.grantTypes,
    response_types: authcode ? ['code'] : [],
    redirect_uris: registration.redirectUris,
    token_endpoint_auth_method: registration.clientSecret ? 'client_secret_basic' : 'none',
    scope,
  };
  if (registration.clientSecret) metadata.client_secret = registration.clientSecret;
  const response = await fetch(uri, {
    method: 'PUT',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json',
      authorization: `Bearer ${registration.registrationAccessToken}`,
    },
    body: JSON.stringify(metadata),
  });
  if (!response.ok) {
    throw new KubecredError(
      `${new URL(uri).host} refused to add scope ${scopes.join(' ')} to client ${registration.clientId}: ${await errorOf(response)}; drop --extra-scope, or add it in the IAM dashboard`,
    );
  }
  const parsed = registrationResponse.safeParse(await response.json().catch(() => undefined));
  const r = parsed.success ? parsed.data : undefined;
  return {
    ...registration,
    clientSecret: r?.client_secret ?? registration.clientSecret,
    registrationAccessToken: r?.registration_access_token ?? registration.registrationAccessToken,
    scope: r?.scope ?? scope,
  };
}

/** RFC 7592 DELETE. Returns a line saying what happened (never throws for the IdP's answer). */
export async function deleteRegistration(fetch: FetchFunction, registration: Registration): Promise<string> {
  const uri = registration.registrationClientUri;
  if (!uri || !registration.registrationAccessToken) {
    return `the IAM gave no registration_client_uri for client ${registration.clientId}: delete it in the IAM dashboard (kubecred forgets it now)`;
  }
  const host = new URL(uri).host;
  let response: Response;
  try {
    response = await fetch(uri, { method: 'DELETE', headers: { authorization: `Bearer ${registration.registrationAccessToken}` } });
  } catch (err) {
    return `could not delete client ${registration.clientId} at ${host} (${(err as Error).message}); kubecred forgets it anyway`;
  }
  if (response.status === 204 || response.status === 200 || response.status === 404 || response.status === 401) {
    // 401/404: already gone (IAM drops the registration token with the client).
    return `deleted the client registration ${registration.clientId} at ${host}`;
  }
  return `could not delete client ${registration.clientId} at ${host} (${await errorOf(response)}); kubecred forgets it anyway`;
}

/** The registration endpoint from discovery, or a one-line error saying to pass --client-id. */
export async function registrationEndpoint(fetch: FetchFunction, issuer: string): Promise<string> {
  const host = new URL(issuer).host;
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(url, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new KubecredError(`discovery of ${issuer}: ${host} answered HTTP ${response.status}; is --issuer-url right?`);
  let doc: { issuer?: unknown; registration_endpoint?: unknown };
  try {
    doc = (await response.json()) as typeof doc;
  } catch {
    throw new KubecredError(`discovery of ${issuer}: ${host} did not answer with JSON; is --issuer-url the IAM's issuer?`);
  }
  if (doc.issuer !== issuer) {
    throw new KubecredError(
      `the IAM says its issuer is ${JSON.stringify(doc.issuer)}, not ${JSON.stringify(issuer)}: pass --issuer-url exactly as kube-apiserver's --oidc-issuer-url (trailing slash included)`,
    );
  }
  if (typeof doc.registration_endpoint !== 'string' || doc.registration_endpoint === '') {
    throw new KubecredError(
      `${host} offers no dynamic client registration (no registration_endpoint): pass --client-id of a client registered there (and --client-secret-stdin if it has a secret)`,
    );
  }
  return doc.registration_endpoint;
}
