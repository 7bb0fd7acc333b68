import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '@todo/core/db/embedded';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    adminDatabaseUrl: string;
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/**
 * A fresh temp folder to hold a Postgres data folder. As root, initdb and Postgres run as `postgres`,
 * which cannot write into a root-owned checkout and must be able to enter the parent: mode 755 in /tmp.
 */
export function tempDirForPostgres(prefix: string): string {
  const parent = mkdtempSync(join(tmpdir(), prefix));
  chmodSync(parent, 0o755);
  return parent;
}

/**
 * One real Postgres for the whole run (DATABASE_URL, if set, is used instead); each test file gets its
 * own database in it. A failure to start is a failed run with the reason, not a skipped tier.
 */
export default async function setup(project: TestProject) {
  prebuildClusterInBackground();
  if (process.env.TEST_DATABASE_URL) {
    project.provide('adminDatabaseUrl', process.env.TEST_DATABASE_URL);
    return;
  }
  const dataDir = join(tempDirForPostgres('todo-test-pg-'), 'data');
  let pg: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  try {
    pg = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
  } catch (e) {
    throw new Error(`Could not start the embedded Postgres for tests: ${(e as Error).message}`);
  }
  project.provide('adminDatabaseUrl', pg.url);
  return () => pg.stop();
}

/**
 * The cluster tier's control plane and KEDA take ≈30 min to build cold (cached afterwards, in ms). Start
 * that build now, niced, so it overlaps the other tiers; the cluster tier's own ensureK8sCluster() waits
 * on the script's lock and fails loudly if the build failed. Output: ~/.cache/todo-fn/k8s-cluster-build.log.
 */
function prebuildClusterInBackground(): void {
  const cache = process.env.TODO_FN_CACHE || join(homedir(), '.cache', 'todo-fn');
  mkdirSync(cache, { recursive: true });
  const out = openSync(join(cache, 'k8s-cluster-build.log'), 'a');
  const script = new URL('../../platform/engines/get-k8s-cluster.sh', import.meta.url).pathname;
  spawn('nice', ['-n', '10', 'bash', script], { detached: true, stdio: ['ignore', out, out] }).unref();
}
