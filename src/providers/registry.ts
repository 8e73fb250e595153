// The one list of providers. Adding a provider is a folder src/providers/<kind>/ and one line here.
// A module holds only pure data and a loader, so help, setup-context and cache list can use all of
// them without loading any provider's code. The fast path does not import it (store/hit-record.ts).
import type { ProviderModule } from './types.js';
import { oidcModule } from './oidc/module.js';
import { keystoneModule } from './keystone/module.js';
import { tenantModule } from './tenant/module.js';
import { iamModule } from './iam/module.js';

export const providerModules: readonly ProviderModule[] = [oidcModule, keystoneModule, iamModule, tenantModule];
