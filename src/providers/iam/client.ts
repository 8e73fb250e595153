// Which OAuth client an IAM identity logs in with: --client-id (its secret, if any, from this
// identity's secret store or KUBECRED_CLIENT_SECRET), else the client kubecred registered at the
// issuer — registered on first use, kept in the secret store shared by the issuer's contexts.
import { createFetch, type FetchFunction } from '../../infra/http.js';
import type { SecretStore } from '../../store/secret-store.js';
import type { Logger } from '../../infra/types.js';
import {
  addRegistrationScopes,
  findRegistration,
  missingScopes,
  readRegistration,
  registerClient,
  registrationEndpoint,
  registrationName,
  saveRegistration,
  type Registration,
} from './registration.js';
import type { IamSettings } from './settings.js';

export interface ResolvedClient {
  clientId: string;
  /** Only for a client kubecred registered (a --client-id's secret is found by the OIDC engine). */
  clientSecret?: string;
  /** Set when kubecred registered this client. */
  registration?: { name: string; record: Registration; createdNow: boolean; addedScopes?: string[] };
}

export function iamFetch(s: IamSettings): FetchFunction {
  return createFetch(s.http);
}

/**
 * The client for these settings. `register: false` (logout) never registers; `save: false`
 * (setup-context) leaves saving a new registration to the caller, once the login worked.
 */
export async function resolveClient(
  shared: SecretStore,
  s: IamSettings,
  log: Logger,
  options: { register: boolean; save: boolean },
): Promise<ResolvedClient | undefined> {
  if (s.clientId) {
    const found = await findRegistration(shared, s.clientId);
    return found
      ? {
          clientId: s.clientId,
          clientSecret: found.registration.clientSecret,
          registration: { name: found.name, record: found.registration, createdNow: false },
        }
      : { clientId: s.clientId };
  }
  const name = registrationName(s.grantType);
  const stored = await readRegistration(shared, name);
  if (stored) {
    log.debug(`using client ${stored.clientId}, registered earlier at ${s.issuerUrl}`);
    const missing = missingScopes(stored, s.extraScopes);
    let record = stored;
    if (missing.length > 0 && options.register) {
      record = await addRegistrationScopes(iamFetch(s), stored, missing);
      await saveRegistration(shared, name, record);
      log.info(`kubecred: added scope ${missing.join(' ')} to client ${record.clientId} at ${new URL(s.issuerUrl).host}`);
    }
    return {
      clientId: record.clientId,
      clientSecret: record.clientSecret,
      registration: { name, record, createdNow: false, addedScopes: missing.length > 0 && options.register ? missing : [] },
    };
  }
  if (!options.register) return undefined;
  const fetch = iamFetch(s);
  const endpoint = await registrationEndpoint(fetch, s.issuerUrl);
  log.info(`kubecred: registering a client for kubecred at ${new URL(s.issuerUrl).host} (once for this issuer)`);
  const record = await registerClient({
    fetch,
    issuer: s.issuerUrl,
    endpoint,
    flow: s.grantType,
    extraScopes: s.extraScopes,
    redirectUris: s.redirectUris,
  });
  if (options.save) await saveRegistration(shared, name, record);
  return { clientId: record.clientId, clientSecret: record.clientSecret, registration: { name, record, createdNow: true } };
}
