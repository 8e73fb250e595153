// Replaced at build time by esbuild's define; tests see the fallback.
declare const __KUBECRED_VERSION__: string | undefined;
export const VERSION: string = typeof __KUBECRED_VERSION__ === 'string' ? __KUBECRED_VERSION__ : '0.0.0-dev';
