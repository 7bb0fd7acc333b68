import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../../testing/global-setup.ts';
import { dropDatabase, ensureDatabase } from '../db/admin.ts';
import { connectDatabase } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';

// Runs a real container entry point (the esbuild bundle), as Kubernetes would.
const root = new URL('../../../../', import.meta.url).pathname;

beforeAll(() => {
  execFileSync(process.execPath, ['platform/scripts/build-functions.mjs'], { cwd: root, stdio: 'inherit' });
});

function start(fn: string, env: Record<string, string>): { child: ChildProcess; output: () => string } {
  let out = '';
  const child = spawn(process.execPath, [`dist/${fn}.js`], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
  });
  child.stdout?.on('data', (d) => {
    out += d;
  });
  child.stderr?.on('data', (d) => {
    out += d;
  });
  return { child, output: () => out };
}

async function waitFor(url: string): Promise<Response> {
  for (let i = 0; i < 200; i++) {
    try {
      return await fetch(url);
    } catch {
      await new Promise((r) => setTimeout(r, 25));
    }
  }
  throw new Error(`${url} never answered`);
}

const exitCode = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });

describe('a function container', () => {
  it('serves /healthz and /readyz, and exits cleanly on SIGTERM', async () => {
    const port = await freePort();
    const { child, output } = start('list-tasks', {
      PORT: String(port),
      DATABASE_URL: inject('adminDatabaseUrl'),
      JWT_SECRET: 'x'.repeat(32),
      SHUTDOWN_GRACE_MS: '1000',
    });
    expect((await waitFor(`http://127.0.0.1:${port}/healthz`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
    const unauth = await fetch(`http://127.0.0.1:${port}/api/v1/tasks`);
    expect(unauth.status).toBe(401);
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
    expect(output()).toContain('"msg":"stopped"');
  });

  it('refuses to start with a clear message when configuration is missing or bad', async () => {
    const { child, output } = start('create-task', { PORT: 'eighty', DATABASE_URL: 'mysql://x' });
    expect(await exitCode(child)).toBe(78);
    expect(output()).toMatch(/PORT/);
    expect(output()).toMatch(/DATABASE_URL/);
  });

  it('refuses the development JWT secret the chart once shipped (outside embedded mode)', async () => {
    for (const secret of [
      'minikube-only-not-a-secret-0123456789abcdef',
      'generated-by-platform-up:todo-secrets/JWT_SECRET',
    ]) {
      const { child, output } = start('list-tasks', {
        PORT: String(await freePort()),
        DATABASE_URL: inject('adminDatabaseUrl'),
        JWT_SECRET: secret,
      });
      expect(await exitCode(child)).toBe(78);
      expect(output()).toMatch(/JWT_SECRET: a development value/);
    }
  });

  it('an event function needs APP_API_TOKEN, and refuses events and jobs without it', async () => {
    const missing = start('audit', {
      PORT: String(await freePort()),
      DATABASE_URL: inject('adminDatabaseUrl'),
      JWT_SECRET: 'x'.repeat(32),
    });
    expect(await exitCode(missing.child)).toBe(78);
    expect(missing.output()).toMatch(/APP_API_TOKEN: required/);

    const port = await freePort();
    const token = 'app-token-'.repeat(4);
    const { child } = start('audit', {
      PORT: String(port),
      DATABASE_URL: inject('adminDatabaseUrl'),
      JWT_SECRET: 'x'.repeat(32),
      APP_API_TOKEN: token,
      SHUTDOWN_GRACE_MS: '1000',
    });
    const url = `http://127.0.0.1:${port}`;
    expect((await waitFor(`${url}/healthz`)).status).toBe(200);
    const post = (path: string, headers: Record<string, string>) =>
      fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/cloudevents+json', ...headers },
        body: '{"forged":true}',
      });
    // A forged event or job: no token, a wrong one, or the token in another header.
    for (const headers of <Record<string, string>[]>[
      {},
      { 'dapr-api-token': 'wrong-wrong-wrong-wrong' },
      { authorization: `Bearer ${token}` },
    ]) {
      expect((await post('/events/task-events', headers)).status).toBe(401);
      expect((await post('/job/reminder-x', headers)).status).toBe(401);
      expect((await post('/anything-else', headers)).status).toBe(401);
    }
    // With daprd's token the event reaches the handler (which drops this malformed one).
    const real = await post('/events/task-events', { 'dapr-api-token': token });
    expect(real.status).toBe(200);
    expect(await real.json()).toEqual({ status: 'DROP' });
    child.kill('SIGTERM');
    expect(await exitCode(child)).toBe(0);
  });

  it('the auth bundle limits log-ins per account in Postgres: after 10 wrong ones within a minute, a 429 with Retry-After', async () => {
    const admin = inject('adminDatabaseUrl');
    const name = `rl_${randomBytes(5).toString('hex')}`;
    const url = await ensureDatabase(admin, name);
    const migrate = connectDatabase(url, 1);
    await migrateToLatest(migrate.db as Kysely<unknown>);
    await migrate.close();
    const port = await freePort();
    const { child } = start('auth', {
      PORT: String(port),
      DATABASE_URL: url,
      JWT_SECRET: 'x'.repeat(32),
      PASSWORD_SCRYPT_LOG_N: '12',
      SHUTDOWN_GRACE_MS: '1000',
    });
    try {
      const base = `http://127.0.0.1:${port}`;
      expect((await waitFor(`${base}/healthz`)).status).toBe(200);
      const post = (path: string, body: unknown) =>
        fetch(`${base}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
      const credentials = { email: 'limit@example.com', password: 'correct horse' };
      expect((await post('/api/v1/auth/signup', credentials)).status).toBe(201);
      const guess = { ...credentials, password: 'wrong horse' };
      for (let i = 0; i < 10; i++) expect((await post('/api/v1/auth/login', guess)).status).toBe(401);
      const limited = await post('/api/v1/auth/login', credentials);
      expect(limited.status).toBe(429);
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    } finally {
      child.kill('SIGTERM');
      await exitCode(child);
      await dropDatabase(admin, name);
    }
  });
});
