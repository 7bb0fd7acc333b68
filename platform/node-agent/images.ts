// What "pulling and running an image" means on this node: there is no container runtime, so each image
// the chart uses maps to a program already on the machine. Our images hold a function's start-up snapshot
// (platform/Dockerfile): with `snapshotNode`, the same here (dist/snapshots/<name>.blob, made by
// `up --target local`), else its plain bundle dist/<name>.js; daprd's image holds the daprd binary.
import { join } from 'node:path';
import { snapshotBlobPath } from '../engines/container-node.ts';

export interface ImageMap {
  /** Repo root whose dist/ holds the function bundles (npm run build). */
  repoRoot: string;
  /** Directory with the daprd binary (platform/engines/get-dapr.sh). */
  daprBin: string;
  /** node executable for plain bundles (default: this process's). */
  node?: string;
  /** The images' Node.js (get-node.sh): when set, functions start from their snapshot blobs, as in an image. */
  snapshotNode?: string;
}

export interface Program {
  command: string;
  args: string[];
  cwd: string;
}

/**
 * `[registry/]todo-<name>:<tag>` → `node --snapshot-blob dist/snapshots/<name>.blob` (or `node dist/<name>.js`
 * without `snapshotNode`); `…/daprd:<tag>` → daprd with the container's args.
 */
export function programFor(
  container: { image?: string; command?: string[]; args?: string[] },
  images: ImageMap,
): Program {
  const image = container.image ?? '';
  const repo = image.replace(/@sha256:[0-9a-f]+$/, '').replace(/:[^/:]+$/, '');
  const name = repo.split('/').pop() ?? '';
  if (name === 'daprd') {
    // The injector's container runs `/daprd <args>`; the image's entrypoint is the binary itself.
    const argv = [...(container.command ?? []), ...(container.args ?? [])];
    const args = argv[0] && /(^|\/)daprd$/.test(argv[0]) ? argv.slice(1) : argv;
    return { command: `${images.daprBin}/daprd`, args, cwd: images.repoRoot };
  }
  const fn = /^todo-([a-z0-9-]+)$/.exec(name)?.[1];
  if (fn && fn !== 'web') {
    if (container.command?.length)
      throw new Error(
        `image ${image}: a command override is not supported by this node (it has no shell either)`,
      );
    if (images.snapshotNode) {
      if (container.args?.length)
        throw new Error(
          `image ${image}: arguments are not supported by a snapshot start (the images take none)`,
        );
      const blob = snapshotBlobPath(join(images.repoRoot, 'dist'), fn);
      return { command: images.snapshotNode, args: ['--snapshot-blob', blob], cwd: images.repoRoot };
    }
    return {
      command: images.node ?? process.execPath,
      args: [`dist/${fn}.js`, ...(container.args ?? [])],
      cwd: images.repoRoot,
    };
  }
  throw new Error(
    `image ${image} is not available on this node (it runs todo-<function> bundles from dist/ and daprd; there is no container runtime)`,
  );
}
