// doctor's OIDC checks: discovery reachable (CA, proxy), the loopback callback ports free, a
// refresh token kept (offline_access granted).
import { createServer } from 'node:net';
import type { DoctorFinding, ProviderDoctor } from '../adoption.js';
import { proxySummary } from '../adoption.js';
import type { HttpPort } from '../../infra/types.js';
import { oneLine } from '../../shared/errors.js';
import { DEFAULT_LISTEN_ADDRESSES, isLoopbackHost } from './settings.js';
import { normalizeIssuer } from './identity.js';

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const strs = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function portFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

async function discovery(values: Record<string, unknown>, env: Record<string, string | undefined>, http: HttpPort): Promise<DoctorFinding> {
  const issuer = str(values['issuer-url']) ?? '';
  const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
  const proxy = proxySummary(env);
  try {
    const fetch = http.fetcher({
      caFiles: strs(values['oidc-ca-file']),
      caData: strs(values['oidc-ca-data']),
      insecureSkipTlsVerify: values['oidc-insecure-skip-tls-verify'] === true,
      env,
      timeoutMs: 10_000,
      caFlag: '--oidc-ca-file',
    });
    const res = await fetch(url);
    const date = res.headers.get('date');
    const serverDate = date ? { what: 'the IdP', date: new Date(date) } : undefined;
    if (res.status !== 200)
      return {
        status: 'fail',
        check: 'IdP discovery',
        detail: `${url} answered ${res.status} (${proxy})`,
        fix: 'check --issuer-url in the kubeconfig (kubecred doctor shows it): it must be the issuer exactly, e.g. https://keycloak.example/realms/main',
        serverDate,
      };
    const doc = (await res.json()) as { issuer?: string };
    if (normalizeIssuer(doc.issuer ?? '') !== normalizeIssuer(issuer)) {
      return {
        status: 'fail',
        check: 'IdP discovery',
        detail: `the IdP calls itself ${doc.issuer}, not ${issuer}`,
        fix: `set --issuer-url=${doc.issuer} in the exec args`,
        serverDate,
      };
    }
    return {
      status: 'pass',
      check: 'IdP discovery',
      detail: `${url} answered (${proxy}${values['oidc-insecure-skip-tls-verify'] === true ? '; TLS NOT verified' : ''})`,
      serverDate,
    };
  } catch (err) {
    return {
      status: 'fail',
      check: 'IdP discovery',
      detail: `${oneLine(err)} (${proxy})`,
      fix: 'check the network path to the IdP (HTTPS_PROXY/NO_PROXY), or pass --oidc-ca-file for a private CA',
    };
  }
}

async function callbackPorts(values: Record<string, unknown>): Promise<DoctorFinding | undefined> {
  const grant = str(values['grant-type']) ?? 'auto';
  if (!['auto', 'authcode'].includes(grant)) return undefined;
  const redirect = str(values['redirect-url']);
  if (redirect) {
    try {
      const host = new URL(redirect).hostname;
      if (!isLoopbackHost(host))
        return {
          status: 'warn',
          check: 'redirect URI',
          detail: `--redirect-url ${redirect} is not this machine: the browser will not reach kubecred's callback`,
          fix: 'use a loopback redirect URI (http://localhost:8000) registered at the IdP',
        };
    } catch {
      return {
        status: 'fail',
        check: 'redirect URI',
        detail: `--redirect-url ${redirect} is not a URL`,
        fix: 'fix --redirect-url in the exec args',
      };
    }
  }
  const listed = strs(values['listen-address']);
  const addresses = listed.length ? listed : DEFAULT_LISTEN_ADDRESSES;
  const busy: string[] = [];
  for (const a of addresses) {
    const m = /^(\[[^\]]+\]|[^:]*):(\d+)$/.exec(a);
    if (!m) continue;
    const host = (m[1] || '127.0.0.1').replace(/^\[|\]$/g, '');
    const port = Number(m[2]);
    if (port === 0 || (await portFree(host === '0.0.0.0' ? '0.0.0.0' : host, port))) {
      return {
        status: 'pass',
        check: 'callback port',
        detail: busy.length ? `${busy.join(', ')} busy; ${a} is free` : `${a} is free for the browser login`,
      };
    }
    busy.push(a);
  }
  return {
    status: 'fail',
    check: 'callback port',
    detail: `${busy.join(' and ')} are busy: a browser login cannot receive its callback`,
    fix: `find what holds them (ss -ltnp 'sport = :${busy[0]!.split(':').pop()}') and stop it, or add --grant-type=device-code to the exec args`,
  };
}

export const oidcDoctor: ProviderDoctor = async ({ values, env, secret, contextName, http }) => {
  const findings: DoctorFinding[] = [await discovery(values, env, http)];
  const ports = await callbackPorts(values);
  if (ports) findings.push(ports);
  if (str(values['grant-type']) !== 'client-credentials') {
    const refresh = await secret('refresh_token').catch(() => undefined);
    findings.push(
      refresh
        ? { status: 'pass', check: 'refresh token', detail: 'kept in the secret store: expiry needs no login' }
        : {
            status: 'warn',
            check: 'refresh token',
            detail: 'none kept: every expiry needs a login (the IdP grants one only with offline_access)',
            fix: `kubecred login --context ${contextName}; if still none, ask the IdP admin to allow offline_access for client ${str(values['client-id']) ?? '?'}`,
          },
    );
  }
  return findings;
};
