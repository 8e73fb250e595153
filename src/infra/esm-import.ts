// import() of a package that ships only ES modules (open, @kubernetes/client-node). The get-token
// bundles are CommonJS, and Node 20 may compile them through vm.Script with V8's code cache
// (src/fastpath/compile-cache.cjs), where an import() of their own cannot run; their build swaps
// this module for one that asks dist/esm-import.cjs, which Node's own loader loads (scripts/build.mjs).
export function importEsm<T>(specifier: string): Promise<T> {
  return import(specifier) as Promise<T>;
}
