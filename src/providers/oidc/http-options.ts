// How kubecred talks to an OIDC IdP: the issuer's own rules (no credentials in the URL, https
// unless on this machine) and the HTTP options from the flags. Shared by the openid-client engine
// (idp-client.ts) and the direct refresh, so both connect alike.
import type { HttpOptions } from '../../infra/http.js';
import type { Infrastructure } from '../../infra/types.js';
import { KubecredError, UsageError } from '../../shared/errors.js';
import { isLoopbackHost, type OidcSettings } from './settings.js';

export function idpHttpOptions(settings: OidcSettings, infra: Pick<Infrastructure, 'env' | 'log'>): HttpOptions {
  const issuer = new URL(settings.issuerUrl);
  if (issuer.username || issuer.password) {
    throw new UsageError('--issuer-url must not contain a user name or password: drop the user:password@ part');
  }
  if (issuer.protocol === 'http:' && !isLoopbackHost(issuer.hostname)) {
    throw new KubecredError(`--issuer-url ${settings.issuerUrl} uses plain http: kube-apiserver accepts only https issuers`);
  }
  return {
    caFiles: settings.caFiles,
    caData: settings.caData,
    insecureSkipTlsVerify: settings.insecureSkipTlsVerify,
    timeoutMs: settings.requestTimeoutMs,
    env: infra.env,
    caFlag: '--oidc-ca-file',
    insecureFlag: '--oidc-insecure-skip-tls-verify',
    warn: (m) => infra.log.warn(m),
  };
}
