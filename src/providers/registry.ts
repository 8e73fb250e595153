// The one list of providers. Adding a provider is a folder src/providers/<kind>/ and one line here.
// Imported by the fast path too: a module holds only pure data and a loader (the fast-path build
// replaces the loaders' targets with an empty stub, so no provider code rides along).
import type { ProviderModule } from './types.js';
import { oidcModule } from './oidc/module.js';
import { keystoneModule } from './keystone/module.js';
import { tenantModule } from './tenant/module.js';
import { iamModule } from './iam/module.js';

export const providerModules: readonly ProviderModule[] = [oidcModule, keystoneModule, iamModule, tenantModule];
