// `npm run gen:web-types` (and web's prebuild): writes web/lib/api-types.gen.ts from the OpenAPI document
// that functions/api-docs/openapi.ts builds from the catalog, with no server running. Plain Node 20 runs
// no TypeScript, so the document's module is bundled with esbuild first (the web image's build stage has
// functions/ and web/ but not platform/, hence not platform/scripts/run-ts.mjs).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderApiTypes, root, typesFile } from './api-types.mjs';
import { nodeBundleOptions } from './node-bundle.mjs';

async function loadDocument() {
  const { build } = await import('esbuild');
  const dir = join(root, 'node_modules', '.cache', 'todo-web-types');
  mkdirSync(dir, { recursive: true });
  const out = join(dir, `openapi-${process.pid}.mjs`);
  await build({
    entryPoints: [join(root, 'functions', 'api-docs', 'openapi.ts')],
    outfile: out,
    ...nodeBundleOptions,
  });
  try {
    return (await import(pathToFileURL(out).href)).buildOpenApiDocument();
  } finally {
    rmSync(out, { force: true });
  }
}

const text = await renderApiTypes(await loadDocument());
let before = '';
try {
  before = readFileSync(typesFile, 'utf8');
} catch {}
// Unchanged files keep their mtime, so Next's and the local runner's build caches stay warm.
if (text !== before) writeFileSync(typesFile, text);
console.log(`${text === before ? 'unchanged' : 'wrote'} ${typesFile.slice(root.length + 1)}`);
