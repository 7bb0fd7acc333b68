import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useTestDatabase } from '../../../testing/database.ts';
import { createClockApp, dispatchByKind } from './clock-app.ts';
import { clockJobsClient, INTERNAL_KEY_HEADER, internalKey } from './clock-jobs.ts';
import { loadConfig } from './config.ts';
import { localJobs } from './local-transport.ts';
import { createLogger } from './log.ts';
import { listen, type RunningServer } from './serve.ts';

const t = useTestDatabase();
const secret = 'clock-test-secret-clock-test-secret-0123';
const appToken = 'clock-app-token-clock-app-token';
const fired: { name: string; data: unknown }[] = [];
const TestJobData = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('note'), a: z.number() }),
  z.strictObject({ kind: z.literal('boom') }),
]);
const handlers = dispatchByKind(TestJobData, {
  note: async (data, _deps, name) => {
    fired.push({ name, data });
  },
  boom: async () => {
    throw new Error('database down');
  },
});
let server: RunningServer;
let url: string;

beforeAll(async () => {
  const app = createClockApp(
    'clock',
    {
      db: t.db,
      config: loadConfig({ DATABASE_URL: t.url }),
      jwtSecret: secret,
      appToken,
      log: createLogger('silent'),
      jobs: localJobs({ db: t.db }),
    },
    handlers,
  );
  server = await listen(app, 0, '127.0.0.1');
  url = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server?.close(1000));

const fire = (
  name: string,
  body: unknown,
  headers: Record<string, string> = { 'dapr-api-token': appToken },
) =>
  fetch(`${url}/job/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('clock app', () => {
  it('dispatches a fired job by its data’s kind, whatever its name, with its data (Dapr-wrapped or not)', async () => {
    const name = `anything-${randomUUID()}`;
    expect((await fire(name, { kind: 'note', a: 1 })).status).toBe(200);
    expect(
      (
        await fire(name, {
          '@type': 'type.googleapis.com/google.protobuf.Value',
          value: { kind: 'note', a: 2 },
        })
      ).status,
    ).toBe(200);
    expect(fired.filter((f) => f.name === name).map((f) => f.data)).toEqual([
      { kind: 'note', a: 1 },
      { kind: 'note', a: 2 },
    ]);
    // A failing handler is a 5xx, so Dapr's failure policy retries it; data of no known kind, or failing
    // its kind's schema, is a 404 (done) naming the field.
    expect((await fire('note-1', { kind: 'boom' })).status).toBe(500);
    const unknown = await fire(`mystery-${randomUUID()}`, { kind: 'mystery' });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({
      type: '/problems/not-found',
      errors: [{ field: 'body.kind' }],
    });
    expect((await fire('note-2', { kind: 'note', a: 'x' })).status).toBe(404);
  });

  it('refuses a forged job: no app token, a wrong one, or the internal key instead', async () => {
    const name = `note-${randomUUID()}`;
    for (const headers of <Record<string, string>[]>[
      {},
      { 'dapr-api-token': 'not-the-token-not-the-token' },
      { [INTERNAL_KEY_HEADER]: internalKey(secret) },
    ]) {
      const res = await fire(name, { kind: 'note', a: 1 }, headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    }
    expect(fired.filter((f) => f.name === name)).toEqual([]);
  });

  it('an app built without an app token refuses every internal route (deny by default)', async () => {
    const bare = createClockApp(
      'clock',
      {
        db: t.db,
        config: loadConfig({ DATABASE_URL: t.url }),
        jwtSecret: secret,
        log: createLogger('silent'),
        jobs: localJobs({ db: t.db }),
      },
      handlers,
    );
    for (const token of [undefined, '', appToken]) {
      const res = await bare.request(`/job/reminder-${randomUUID()}`, {
        method: 'POST',
        headers: token === undefined ? {} : { 'dapr-api-token': token },
        body: '{}',
      });
      expect(res.status).toBe(401);
    }
    expect((await bare.request('/healthz')).status).toBe(200);
  });

  it('limits every body, internal routes included', async () => {
    const app = createClockApp(
      'clock',
      {
        db: t.db,
        config: loadConfig({ DATABASE_URL: t.url }),
        jwtSecret: secret,
        appToken,
        log: createLogger('silent'),
        jobs: localJobs({ db: t.db }),
      },
      handlers,
    );
    const res = await app.request(`/job/reminder-${randomUUID()}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'dapr-api-token': appToken },
      body: JSON.stringify({ pad: 'x'.repeat(1024 * 1024 + 10) }),
    });
    expect(res.status).toBe(413);
  });

  it('schedules and deletes jobs for other functions through clockJobsClient', async () => {
    const jobs = clockJobsClient({ clockUrl: url, secret });
    const name = `reminder-${randomUUID()}`;
    const due = new Date(Date.now() + 3_600_000);
    await jobs.schedule({ name, dueTime: due, data: { task: 1 } });
    const row = await t.db
      .selectFrom('scheduled_jobs')
      .selectAll()
      .where('name', '=', name)
      .executeTakeFirst();
    expect(row).toMatchObject({ data: { task: 1 } });
    expect(row?.due_at.toISOString()).toBe(due.toISOString());
    await jobs.remove(name);
    await jobs.remove(name);
    expect(await t.db.selectFrom('scheduled_jobs').select('name').where('name', '=', name).execute()).toEqual(
      [],
    );
  });

  it('refuses callers without the internal key, and a bad request with a 400 naming the field', async () => {
    const post = (headers: Record<string, string>, body: unknown) =>
      fetch(`${url}/jobs/x`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify(body),
      });
    const good = { dueTime: new Date().toISOString(), data: {} };
    expect((await post({}, good)).status).toBe(401);
    expect(
      (await post({ [INTERNAL_KEY_HEADER]: internalKey('another-secret-another-secret-0000') }, good)).status,
    ).toBe(401);
    const bad = await post({ [INTERNAL_KEY_HEADER]: internalKey(secret) }, { dueTime: 'tomorrow', data: {} });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('dueTime');
    await expect(
      clockJobsClient({ clockUrl: url, secret: 'wrong-secret-wrong-secret-wrong-00' }).remove('x'),
    ).rejects.toThrow(/clock answered 401/);
  });
});
