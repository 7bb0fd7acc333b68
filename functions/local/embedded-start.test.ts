// `npm start` on a machine with no database configured: dist/local.js starts its own embedded Postgres
// (initdb on the first run), migrates, serves the API, stops cleanly on SIGTERM, and on the next start
// finds the same data and the same signing secret (a session survives a restart).
import { execFileSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../testing/database.ts';
import { freePort, tempDirForPostgres } from '../testing/global-setup.ts';
import { type LocalProcess, startLocalProcess } from '../testing/local-process.ts';

const root = new URL('../../', import.meta.url).pathname;
const parent = tempDirForPostgres('todo-npm-start-');
const dataDir = join(parent, 'data');

beforeAll(() => {
  execFileSync(process.execPath, ['platform/scripts/build-functions.mjs'], { cwd: root, stdio: 'inherit' });
});
afterAll(() => rmSync(parent, { recursive: true, force: true }));

/** dist/local.js with no DATABASE_URL and no JWT_SECRET, as on a fresh clone (the web app left out). */
function startLocal(pgPort: number, env: NodeJS.ProcessEnv = {}): Promise<LocalProcess> {
  return startLocalProcess({
    env: {
      ...env,
      DATABASE_URL: undefined,
      JWT_SECRET: undefined,
      TODO_DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      TODO_WEB: 'off',
      LOG_LEVEL: 'info',
    },
  });
}

async function call(origin: string, method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(`${origin}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

describe('npm start with no database configured (embedded Postgres)', () => {
  it('initialises, serves, stops on SIGTERM, and keeps data and sessions across a restart', async () => {
    const pgPort = await freePort();
    const first = await startLocal(pgPort);
    expect(existsSync(join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
    const signup = await call(first.origin, 'POST', '/api/v1/auth/signup', undefined, {
      email: 'fresh@example.com',
      password: 'correct horse battery',
    });
    expect(signup.status).toBe(201);
    const token: string = signup.body.token;
    const created = await call(first.origin, 'POST', '/api/v1/tasks', token, { title: 'Survives a restart' });
    expect(created.status).toBe(201);
    expect(await first.stop(), first.output()).toBe(0);

    // The second start runs the events on the request thread (LOCAL_EVENTS_THREAD=off; the first ran them
    // on their own, the default): a reminder due now is fired and reaches the notifications; SIGTERM
    // stops it.
    const second = await startLocal(pgPort, { LOCAL_EVENTS_THREAD: 'off' });
    try {
      const listed = await call(second.origin, 'GET', '/api/v1/tasks', token);
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((t: { title: string }) => t.title)).toEqual(['Survives a restart']);
      const due = new Date(Date.now() + 3_600_000).toISOString();
      const reminded = await call(second.origin, 'POST', '/api/v1/tasks', token, {
        title: 'Reminded on the request thread',
        due_at: due,
        reminders: [120],
      });
      expect(reminded.status).toBe(201);
      const notified = await eventually('the reminder reaches the notifications', async () => {
        const page = await call(second.origin, 'GET', '/api/v1/notifications', token);
        return page.body?.items?.length === 1 ? page.body.items[0] : undefined;
      });
      expect(notified).toMatchObject({ task_id: reminded.body.id, channel: 'in_app' });
    } finally {
      expect(await second.stop(), second.output()).toBe(0);
    }
  }, 300_000);
});
