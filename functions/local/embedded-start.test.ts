// `npm start` on a machine with no database configured: dist/local.js starts its own embedded Postgres
// (initdb on the first run), migrates, serves the API, stops cleanly on SIGTERM, and on the next start
// finds the same data and the same signing secret (a session survives a restart).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../testing/global-setup.ts';

const root = new URL('../../', import.meta.url).pathname;
// As root, Postgres runs as `postgres`, which must be able to enter the parent of its data folder.
const parent = mkdtempSync(join(tmpdir(), 'todo-npm-start-'));
chmodSync(parent, 0o755);
const dataDir = join(parent, 'data');

beforeAll(() => {
  execFileSync(process.execPath, ['platform/scripts/build-functions.mjs'], { cwd: root, stdio: 'inherit' });
});
afterAll(() => rmSync(parent, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  origin: string;
  output: () => string;
  exited: Promise<number | null>;
}

/** dist/local.js with no DATABASE_URL and no JWT_SECRET, as on a fresh clone (the web app left out). */
async function startLocal(pgPort: number): Promise<Started> {
  const port = await freePort();
  const { DATABASE_URL: _db, JWT_SECRET: _jwt, ...env } = process.env;
  const child = spawn(process.execPath, ['dist/local.js'], {
    cwd: root,
    env: {
      ...env,
      PORT: String(port),
      TODO_DATA_DIR: dataDir,
      EMBEDDED_PG_PORT: String(pgPort),
      TODO_WEB: 'off',
      LOG_LEVEL: 'info',
    },
  });
  let out = '';
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dist/local.js exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > deadline) throw new Error(`dist/local.js was not ready within 120 s:\n${out}`);
    const ready = await fetch(`${origin}/readyz`).catch(() => null);
    if (ready?.ok) return { child, origin, output: () => out, exited };
    await new Promise((r) => setTimeout(r, 250));
  }
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

async function stop(s: Started): Promise<number | null> {
  s.child.kill('SIGTERM');
  const code = await Promise.race([
    s.exited,
    new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000)),
  ]);
  if (code === 'hung') {
    s.child.kill('SIGKILL');
    throw new Error(`dist/local.js did not exit within 30 s of SIGTERM:\n${s.output()}`);
  }
  return code;
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
    expect(await stop(first), first.output()).toBe(0);

    const second = await startLocal(pgPort);
    try {
      const listed = await call(second.origin, 'GET', '/api/v1/tasks', token);
      expect(listed.status).toBe(200);
      expect(listed.body.items.map((t: { title: string }) => t.title)).toEqual(['Survives a restart']);
    } finally {
      expect(await stop(second), second.output()).toBe(0);
    }
  }, 300_000);
});
