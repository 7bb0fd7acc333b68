// The function images start from a V8 start-up snapshot (platform/Dockerfile): proven here with the
// images' Node.js. Two functions' snapshot scripts are bundled as the build does, their blobs built with no
// database or secret in the environment, then started with the pod's environment: a task created through
// one is listed through the other, against the real Postgres. The gateway (its own entry) starts too.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSnapshotBlob, ensureContainerNode } from '../../platform/engines/container-node.ts';
import {
  type EngineProcess,
  freePort,
  makeTempDir,
  startProcess,
  waitUntil,
} from '../../platform/engines/proc.ts';
import { catalog, type FunctionSpec } from '../catalog.ts';
import { TEST_JWT_SECRET, useTestApi } from '../testing/stack.ts';
import { bundleContainer } from './containers.ts';

const api = useTestApi();
const spec = (name: string): FunctionSpec => {
  const fn = catalog.find((f) => f.name === name);
  if (!fn) throw new Error(`no ${name} in the catalog`);
  return fn;
};

let node: string;
let dir: string;
const running: EngineProcess[] = [];

/** Bundles `name`'s snapshot script and builds its blob with the images' node. */
async function blobOf(name: string): Promise<string> {
  const script = await bundleContainer(spec(name), dir, { snapshot: true });
  const blob = join(dir, `${name}.blob`);
  await buildSnapshotBlob(node, script, blob);
  return blob;
}

/** `node --snapshot-blob <blob>` with the pod's environment; resolves once /healthz answers 200. */
async function startFromBlob(name: string, blob: string, env: Record<string, string>): Promise<string> {
  const port = await freePort();
  const proc = startProcess({
    name,
    command: node,
    args: ['--snapshot-blob', blob],
    logFile: join(dir, `${name}.log`),
    // Only what a pod gets: the build's environment (this test's) must not be needed.
    env: { ...env, PORT: String(port), LOG_LEVEL: 'info' },
    hint: `started from the snapshot ${blob}`,
  });
  running.push(proc);
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(proc, `${name} /healthz`, 20_000, async () => (await fetch(`${url}/healthz`)).ok, '');
  return url;
}

describe('function images start from a V8 start-up snapshot', () => {
  beforeAll(async () => {
    node = await ensureContainerNode();
    dir = makeTempDir('todo-snapshot-');
  }, 120_000);
  afterAll(async () => {
    await Promise.all(running.map((p) => p.stop()));
  });

  it("the snapshot reads the pod's environment at start, and serves writes and reads on real Postgres", async () => {
    const env = { DATABASE_URL: api.databaseUrl, JWT_SECRET: TEST_JWT_SECRET };
    const [createBlob, listBlob] = await Promise.all([blobOf('create-task'), blobOf('list-tasks')]);
    const creator = await startFromBlob('create-task', createBlob, env);
    const lister = await startFromBlob('list-tasks', listBlob, env);
    const user = await api.signUp();
    const auth = { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' };

    const created = await fetch(`${creator}/api/v1/tasks`, {
      method: 'POST',
      headers: auth,
      body: JSON.stringify({ title: 'from a snapshot', priority: 'high', tags: ['snap'] }),
    });
    expect(created.status).toBe(201);
    const listed = await fetch(`${lister}/api/v1/tasks?search=snapshot`, { headers: auth });
    expect(listed.status).toBe(200);
    const { items } = (await listed.json()) as { items: { title: string; tags: { name: string }[] }[] };
    expect(items.map((t) => [t.title, t.tags.map((g) => g.name)])).toEqual([['from a snapshot', ['snap']]]);
    // Bad input is still a 4xx with the problem document (zod's schemas came from the snapshot).
    const bad = await fetch(`${creator}/api/v1/tasks`, {
      method: 'POST',
      headers: auth,
      body: '{"title":""}',
    });
    expect(bad.status).toBe(400);
    expect(readFileSync(join(dir, 'list-tasks.log'), 'utf8')).toMatch(/"msg":"listening"/);
  }, 120_000);

  it('the gateway starts from its snapshot too', async () => {
    const url = await startFromBlob('gateway', await blobOf('gateway'), {});
    expect(await (await fetch(`${url}/healthz`)).json()).toMatchObject({ function: 'gateway' });
  }, 60_000);
});
