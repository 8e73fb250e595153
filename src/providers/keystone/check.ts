// doctor's Keystone check: the auth URL answers (CA, proxy).
import type { ProviderDoctor } from '../adoption.js';
import { proxySummary } from '../adoption.js';
import { oneLine } from '../../shared/errors.js';

export const keystoneDoctor: ProviderDoctor = async ({ values, env, http }) => {
  const authUrl = typeof values['auth-url'] === 'string' ? values['auth-url'] : undefined;
  if (!authUrl) return [{ status: 'info', check: 'Keystone', detail: 'the auth URL comes from clouds.yaml (--os-cloud): not checked' }];
  const proxy = proxySummary(env);
  try {
    const caFiles = typeof values.cacert === 'string' ? [values.cacert] : [];
    const clientCert =
      typeof values.cert === 'string' && typeof values.key === 'string' ? { certFile: values.cert, keyFile: values.key } : undefined;
    const fetch = http.fetcher({
      caFiles,
      clientCert,
      insecureSkipTlsVerify: values.insecure === true,
      env,
      timeoutMs: 10_000,
      caFlag: '--cacert (OS_CACERT)',
    });
    const res = await fetch(authUrl.replace(/\/+$/, ''));
    const date = res.headers.get('date');
    const serverDate = date ? { what: 'Keystone', date: new Date(date) } : undefined;
    if (res.status >= 400 && res.status !== 401)
      return [
        {
          status: 'fail',
          check: 'Keystone',
          detail: `${authUrl} answered ${res.status} (${proxy})`,
          fix: 'check --auth-url (OS_AUTH_URL): it ends in /v3',
          serverDate,
        },
      ];
    return [{ status: 'pass', check: 'Keystone', detail: `${authUrl} answered (${proxy})`, serverDate }];
  } catch (err) {
    return [
      {
        status: 'fail',
        check: 'Keystone',
        detail: `${oneLine(err)} (${proxy})`,
        fix: 'check the network path to Keystone (HTTPS_PROXY/NO_PROXY), or pass --cacert for a private CA',
      },
    ];
  }
};
