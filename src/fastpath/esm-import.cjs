// import() on behalf of the CommonJS get-token bundles (see src/infra/esm-import.ts): loaded by
// Node's own loader, so its import() works however the bundle itself was compiled.
'use strict';
module.exports = (specifier) => import(specifier);
