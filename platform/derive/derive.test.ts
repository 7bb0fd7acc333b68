// The committed deployment files are exactly what `npm run derive` makes from the catalog today.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generate, isHandWritten, listFiles, readRepoFile, repoRoot } from './generate.ts';
import { k8sTools } from './tools.ts';

// helm comes from platform/engines/get-k8s-tools.sh: a cold cache builds it (minutes), a warm one is instant.
beforeAll(async () => {
  await k8sTools();
}, 30 * 60_000);

describe('catalog → committed YAML (npm run derive)', () => {
  it('every generated file is committed and up to date with functions/catalog.ts', async () => {
    const files = await generate();
    const stale = [...files]
      .filter(([path, content]) => readRepoFile(path) !== content)
      .map(([path]) => path);
    expect(
      stale,
      `out of date with the catalog: run \`npm run derive\` and commit:\n  ${stale.join('\n  ')}`,
    ).toEqual([]);
  });

  it('no file under keda/ or platform/chart/files/ is left over from a function that is gone', async () => {
    const files = await generate();
    const leftovers = ['keda', 'platform/chart/files']
      .filter((dir) => existsSync(join(repoRoot, dir)))
      .flatMap((dir) => listFiles(join(repoRoot, dir)).map((f) => join(dir, f)))
      .filter((path) => !files.has(path) && !isHandWritten(path));
    expect(leftovers, 'run `npm run derive` (it removes them)').toEqual([]);
  });
});
