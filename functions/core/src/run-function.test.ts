import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../testing/global-setup.ts';

// Runs a real container entry point (the esbuild bundle), as Kubernetes would.
const root = new URL('../../../', import.meta.url).pathname;

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
});
