// The smoke script that `helm test` and the deploy workflow run, run here against the whole API served
// over HTTP on 127.0.0.1 (real Postgres), so a cluster never is the first place it runs.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { listen, type RunningServer } from '@todo/core/runtime/serve';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestApi } from '../../../functions/testing/stack.ts';

const exec = promisify(execFile);
const script = fileURLToPath(new URL('./api-smoke.mjs', import.meta.url));

function runSmoke(api: string) {
  return exec(process.execPath, [script], { env: { ...process.env, API: api }, timeout: 90_000 }).then(
    (r) => ({ code: 0, out: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({
      code: e.code ?? -1,
      out: `${e.stdout}${e.stderr}`,
    }),
  );
}

describe('platform/chart/scripts/api-smoke.mjs', () => {
  const api = useTestApi();
  let server: RunningServer;
  beforeAll(async () => {
    server = await listen(api.stack.app, 0, '127.0.0.1');
  });
  afterAll(() => server?.close(1000));

  it('passes against a working API: sign up, create, list, complete, another user gets 404', async () => {
    const r = await runSmoke(`http://127.0.0.1:${server.port}`);
    expect(r.out).toMatch(/api-smoke ok/);
    expect(r.code).toBe(0);
  });

  it('fails (exit 1, naming the call) when the API answers wrongly', async () => {
    const wrong = await listen({ fetch: () => new Response('nope', { status: 404 }) }, 0, '127.0.0.1');
    try {
      const r = await runSmoke(`http://127.0.0.1:${wrong.port}`);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/GET \/healthz: expected 200, got 404/);
    } finally {
      await wrong.close(100);
    }
  });
});
