// openid-client / oauth4webapi errors → one line a person can act on. Never echoes a token, code or
// secret: only OAuth error codes, claim names, issuers, client ids and HTTP statuses.
import * as oidc from 'openid-client';
import { KubecredError } from '../../shared/errors.js';
import { scrubServerText } from '../../shared/scrub.js';

/** The IdP refused a grant with an OAuth error (`invalid_grant`, …). */
export class OAuthRefusal extends KubecredError {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

/** A request failed before the IdP gave an OAuth answer (network, HTTP status, non-JSON). */
export class IdpUnreachable extends KubecredError {}

/** Server-supplied text: clipped, printable, and without any secret we sent (see shared/scrub.ts). */
function clip(text: unknown, max = 160): string {
  return scrubServerText(text, max);
}

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let e: unknown = err; e && chain.length < 8; e = (e as { cause?: unknown }).cause) chain.push(e);
  return chain;
}

function endpointOf(response: unknown): string {
  const url = (response as { url?: string } | undefined)?.url;
  if (!url) return 'the IdP';
  try {
    const u = new URL(url);
    return `${u.host}${u.pathname}`;
  } catch {
    return 'the IdP';
  }
}

/** The first `cause` in the chain that is a plain details object (not an Error or a Response). */
function detailsOf(err: unknown): Record<string, unknown> {
  for (const e of causes(err)) {
    const c = (e as { cause?: unknown }).cause;
    if (c && typeof c === 'object' && !(c instanceof Error) && ('claim' in c || 'attribute' in c || 'expected' in c))
      return c as Record<string, unknown>;
  }
  for (const e of causes(err)) {
    const c = (e as { cause?: unknown }).cause;
    if (c && typeof c === 'object' && !(c instanceof Error)) return c as Record<string, unknown>;
  }
  return {};
}

const claimNames: Record<string, string> = { iss: 'issuer', aud: 'audience', azp: 'authorized party', nonce: 'nonce', sub: 'subject' };

/**
 * Describes any failure of an openid-client call. `what` names the step ("refreshing the token",
 * "discovery of https://…") for the message.
 */
export function describeOidcError(err: unknown, what: string, clientId: string): KubecredError {
  if (err instanceof KubecredError) return err;
  for (const e of causes(err)) if (e instanceof KubecredError) return new IdpUnreachable(`${what}: ${e.message}`);

  if (err instanceof oidc.ResponseBodyError) {
    const desc = err.error_description ? ` (${clip(err.error_description)})` : '';
    return new OAuthRefusal(`${what}: the IdP said ${err.error}${desc}${oauthHint(err.error, clientId)}`, err.error);
  }
  if (err instanceof oidc.AuthorizationResponseError) {
    const desc = err.error_description ? ` (${clip(err.error_description)})` : '';
    return new OAuthRefusal(`${what}: the IdP refused the login: ${err.error}${desc}`, err.error);
  }
  if (err instanceof oidc.WWWAuthenticateChallengeError) {
    return new OAuthRefusal(
      `${what}: the IdP refused the client (WWW-Authenticate challenge): check --client-id and the client secret`,
      'invalid_client',
    );
  }
  const code = (err as { code?: string }).code;
  // openid-client wraps oauth4webapi's error, whose `cause` holds the details (claim, attribute, …).
  const cause = detailsOf(err);
  switch (code) {
    case 'OAUTH_RESPONSE_IS_NOT_CONFORM': {
      const status = (cause as { status?: number }).status;
      return new IdpUnreachable(`${what}: ${endpointOf(cause)} answered HTTP ${status ?? '?'}; is the IdP up and --issuer-url right?`);
    }
    case 'OAUTH_RESPONSE_IS_NOT_JSON':
      return new IdpUnreachable(`${what}: ${endpointOf(cause)} did not answer with JSON; is --issuer-url the IdP's issuer?`);
    case 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED': {
      const attribute = (cause as { attribute?: string }).attribute;
      if (attribute === 'issuer') {
        const said = (cause as { body?: { issuer?: unknown } }).body?.issuer;
        return new KubecredError(
          `${what}: the IdP says its issuer is ${JSON.stringify(said)}, not ${JSON.stringify(String((cause as { expected?: unknown }).expected))}: pass --issuer-url exactly as the IdP (and kube-apiserver's --oidc-issuer-url) spell it`,
        );
      }
      if (/state/.test(String((err as Error).message))) {
        return new KubecredError(
          `${what}: the login callback carried a wrong state (a stale browser tab or a forged request); log in again`,
        );
      }
      return new KubecredError(`${what}: the IdP's answer has an unexpected ${attribute ?? 'value'}`);
    }
    case 'OAUTH_JWT_CLAIM_COMPARISON_FAILED': {
      const claim = String((cause as { claim?: string }).claim ?? '');
      const expected = (cause as { expected?: unknown }).expected;
      const name = claimNames[claim] ?? claim;
      if (claim === 'nonce')
        return new KubecredError(`${what}: the ID token carries a wrong nonce (a replayed or forged token); log in again`);
      if (claim === 'aud' || claim === 'azp') {
        return new KubecredError(`${what}: the ID token is not for client ${JSON.stringify(clientId)} (wrong ${name}); check --client-id`);
      }
      if (claim === 'iss') {
        return new KubecredError(
          `${what}: the ID token was issued by someone else than ${JSON.stringify(String(expected))} (wrong issuer); check --issuer-url`,
        );
      }
      return new KubecredError(`${what}: the ID token has an unexpected ${name} claim`);
    }
    case 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED':
      return new KubecredError(`${what}: the ID token is expired or not yet valid; check this machine's clock`);
    case 'OAUTH_INVALID_RESPONSE':
    case 'OAUTH_PARSE_ERROR': {
      // openid-client says only "invalid response encountered"; oauth4webapi's cause says what.
      const inner =
        causes(err)
          .map((e) => (e as Error)?.message)
          .find((m) => typeof m === 'string' && m !== 'invalid response encountered') ?? 'invalid response';
      if (/JWT/.test(inner))
        return new KubecredError(
          `${what}: the IdP sent an ID token kubecred refuses (${clip(inner, 80)}): a forged token, or an IdP set up with an unsupported algorithm`,
        );
      return new KubecredError(`${what}: the IdP sent an answer kubecred cannot use (${clip(inner, 80)})`);
    }
    case 'OAUTH_TIMEOUT':
      return new IdpUnreachable(`${what}: the IdP did not answer in time; check your network or HTTPS_PROXY`);
    case 'OAUTH_HTTP_REQUEST_FORBIDDEN':
      return new KubecredError(`${what}: the IdP must be reached over https (plain http is allowed for localhost only)`);
    case 'OAUTH_UNSUPPORTED_OPERATION':
      return new KubecredError(`${what}: the IdP uses an algorithm kubecred does not support`);
  }
  if ((err as Error)?.name === 'TimeoutError')
    return new IdpUnreachable(`${what}: the IdP did not answer in time; check your network or HTTPS_PROXY`);
  return new KubecredError(`${what}: ${clip((err as Error)?.message ?? err)}`);
}

function oauthHint(error: string, clientId: string): string {
  switch (error) {
    case 'invalid_client':
      return `; check --client-id ${clientId} and its client secret`;
    case 'unauthorized_client':
      return `; client ${clientId} may not use this grant: enable it at the IdP or choose another --grant-type`;
    case 'invalid_scope':
      return '; drop the --extra-scope the IdP does not know';
    case 'unsupported_grant_type':
      return '; the IdP does not offer this grant: choose another --grant-type';
    default:
      return '';
  }
}
