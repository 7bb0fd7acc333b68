// Runs a TypeScript entry of this repo under plain Node 20: bundles it with esbuild into
// node_modules/.cache/todo-platform/ and imports the result. The bundle is reused while none of its
// inputs changed, and replaced atomically, so parallel runs never read a half-written file.
// Each source file keeps its own import.meta.url, so paths computed from it stay right.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
// The bundle options live beside the web's type generator: the web image's build stage has no platform/.
import { nodeBundleOptions } from '../../web/scripts/node-bundle.mjs';

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

/** True when `out` exists and is newer than every input recorded beside it. */
function upToDate(out, inputsFile) {
  if (!existsSync(out) || !existsSync(inputsFile)) return false;
  const built = statSync(out).mtimeMs;
  try {
    const inputs = JSON.parse(readFileSync(inputsFile, 'utf8'));
    return inputs.every((f) => existsSync(f) && statSync(f).mtimeMs < built);
  } catch {
    return false;
  }
}

/** Bundles `entry` (repo-relative .ts) unless an up-to-date bundle exists, and returns the imported module. */
export async function importTs(entry) {
  const out = join(
    root,
    'node_modules',
    '.cache',
    'todo-platform',
    `${entry.replace(/\.ts$/, '').replaceAll('/', '-')}.mjs`,
  );
  const inputsFile = `${out}.inputs.json`;
  if (!upToDate(out, inputsFile)) {
    let esbuild;
    try {
      esbuild = await import('esbuild');
    } catch {
      console.error('esbuild is missing: run `npm ci` in the repository first.');
      process.exit(1);
    }
    mkdirSync(dirname(out), { recursive: true });
    const tmp = `${out}.${process.pid}.tmp.mjs`;
    const result = await esbuild.build({
      entryPoints: [join(root, entry)],
      outfile: tmp,
      ...nodeBundleOptions,
      metafile: true,
      plugins: [keepImportMetaUrl],
    });
    const inputs = Object.keys(result.metafile.inputs).map((f) => join(process.cwd(), f));
    writeFileSync(`${inputsFile}.${process.pid}`, JSON.stringify(inputs));
    renameSync(tmp, out);
    renameSync(`${inputsFile}.${process.pid}`, inputsFile);
  }
  return import(pathToFileURL(out).href);
}
