import { randomUUID } from 'node:crypto';
import { Hono } from 'hono';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../testing/database.ts';
import { makeCloudEvent } from '../events.ts';
import { createLocalJobRunner, localBus, localJobs } from './local-transport.ts';
import { createLogger } from './log.ts';

const t = useTestDatabase();
const log = createLogger('silent');

const event = () =>
  makeCloudEvent(
    'ReminderDue.v1',
    {
      user_id: randomUUID(),
      task_id: randomUUID(),
      title: 't',
      due_at: new Date().toISOString(),
      offset_minutes: 0,
      remind_at: new Date().toISOString(),
      occurrence_key: 'k',
    },
    { source: 'test', subject: randomUUID() },
  );

/** A subscriber app that replies with `reply` and records the CloudEvents it received. */
function subscriber(reply: { status: number; body?: unknown }) {
  const got: { contentType: string | undefined; token: string | undefined; body: { id: string } }[] = [];
  const app = new Hono();
  app.post('/events/reminders', async (c) => {
    got.push({
      contentType: c.req.header('content-type'),
      token: c.req.header('dapr-api-token'),
      body: await c.req.json(),
    });
    return reply.body === undefined
      ? c.body(null, reply.status as 200)
      : c.json(reply.body, reply.status as 200);
  });
  return { app, got };
}

describe('local bus', () => {
  it('delivers a CloudEvent to every subscriber of the topic; SUCCESS from all is success', async () => {
    const a = subscriber({ status: 200, body: { status: 'SUCCESS' } });
    const b = subscriber({ status: 200 });
    const bus = localBus({
      db: t.db,
      log,
      subscribers: () => [
        { consumer: 'a', topic: 'reminders', route: '/events/reminders', app: a.app },
        { consumer: 'b', topic: 'reminders', route: '/events/reminders', app: b.app },
        { consumer: 'c', topic: 'task-events', route: '/events/reminders', app: a.app },
      ],
    });
    const e = event();
    await bus.publish('reminders', e);
    expect(a.got.map((g) => g.body.id)).toEqual([e.id]);
    expect(b.got.map((g) => g.body.id)).toEqual([e.id]);
    expect(a.got[0]?.contentType).toBe('application/cloudevents+json');
  });

  it("sends the app token as daprd does (dapr-api-token), so the subscribers' internal routes accept it", async () => {
    const a = subscriber({ status: 200, body: { status: 'SUCCESS' } });
    const bus = localBus({
      db: t.db,
      log,
      appToken: 'per-process-token-0123456789',
      subscribers: () => [{ consumer: 'a', topic: 'reminders', route: '/events/reminders', app: a.app }],
    });
    await bus.publish('reminders', event());
    expect(a.got[0]?.token).toBe('per-process-token-0123456789');
  });

  it('DROP records a dead letter once and counts as delivered', async () => {
    const dropper = subscriber({ status: 200, body: { status: 'DROP' } });
    const bus = localBus({
      db: t.db,
      log,
      subscribers: () => [
        { consumer: 'dropper', topic: 'reminders', route: '/events/reminders', app: dropper.app },
      ],
    });
    const e = event();
    await bus.publish('reminders', e);
    await bus.publish('reminders', e);
    const rows = await t.db.selectFrom('dead_letters').selectAll().where('event_id', '=', e.id).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      consumer: 'dropper',
      topic: 'reminders',
      reason: 'consumer replied DROP',
    });
  });

  it('RETRY or a 5xx fails the publish so the relay retries it', async () => {
    for (const reply of [
      { status: 200, body: { status: 'RETRY' } },
      { status: 500, body: { status: 'RETRY' } },
      { status: 503 },
    ]) {
      const s = subscriber(reply);
      const bus = localBus({
        db: t.db,
        log,
        subscribers: () => [{ consumer: 's', topic: 'reminders', route: '/events/reminders', app: s.app }],
      });
      await expect(bus.publish('reminders', event())).rejects.toThrow(/delivery of .* failed: s: /);
    }
  });

  it('dead-letters a subscriber still failing on the last allowed delivery, and only that one', async () => {
    const failing = subscriber({ status: 500, body: { status: 'RETRY' } });
    const fine = subscriber({ status: 200, body: { status: 'SUCCESS' } });
    const bus = localBus({
      db: t.db,
      log,
      maxDeliveries: 3,
      subscribers: () => [
        { consumer: 'failing', topic: 'reminders', route: '/events/reminders', app: failing.app },
        { consumer: 'fine', topic: 'reminders', route: '/events/reminders', app: fine.app },
      ],
    });
    const e = event();
    await expect(bus.publish('reminders', e, { attempt: 1 })).rejects.toThrow(/failing: 500/);
    await expect(bus.publish('reminders', e, { attempt: 2 })).rejects.toThrow(/failing: 500/);
    await bus.publish('reminders', e, { attempt: 3 }); // given up: the relay may mark the row sent
    const rows = await t.db.selectFrom('dead_letters').selectAll().where('event_id', '=', e.id).execute();
    expect(rows.map((r) => [r.consumer, r.reason])).toEqual([
      ['failing', expect.stringMatching(/^gave up after 3 deliveries; last: failing: 500/)],
    ]);
    expect(failing.got).toHaveLength(3);
  });
});

/** A clock stand-in that answers each job with the next status from `statuses` and records firings. */
function clock(statuses: number[]) {
  const fired: { name: string; data: unknown }[] = [];
  const tokens: (string | undefined)[] = [];
  const app = new Hono();
  app.post('/job/:name', async (c) => {
    tokens.push(c.req.header('dapr-api-token'));
    fired.push({ name: c.req.param('name'), data: await c.req.json() });
    return c.body(null, (statuses.shift() ?? 200) as 200);
  });
  return { app, fired, tokens };
}

async function jobRow(name: string) {
  return t.db.selectFrom('scheduled_jobs').selectAll().where('name', '=', name).executeTakeFirst();
}

describe('local jobs', () => {
  it('schedules with overwrite semantics and fires due jobs with their data; 2xx deletes them', async () => {
    const jobs = localJobs({ db: t.db });
    const name = `reminder-${randomUUID()}`;
    await jobs.schedule({ name, dueTime: new Date(Date.now() + 3_600_000), data: { v: 1 } });
    await jobs.schedule({ name, dueTime: new Date(Date.now() - 1000), data: { v: 2 } });
    const c = clock([200]);
    const runner = createLocalJobRunner({
      db: t.db,
      target: c.app,
      log,
      appToken: 'per-process-token-0123456789',
    });
    expect(await runner.runOnce()).toBeGreaterThanOrEqual(1);
    expect(c.fired.filter((f) => f.name === name)).toEqual([{ name, data: { v: 2 } }]);
    expect(c.tokens[0]).toBe('per-process-token-0123456789');
    expect(await jobRow(name)).toBeUndefined();
  });

  it('does not fire jobs before they are due; remove() deletes, twice is fine', async () => {
    const jobs = localJobs({ db: t.db });
    const name = `reminder-${randomUUID()}`;
    await jobs.schedule({ name, dueTime: new Date(Date.now() + 3_600_000), data: {} });
    const c = clock([]);
    await createLocalJobRunner({ db: t.db, target: c.app, log }).runOnce();
    expect(c.fired.some((f) => f.name === name)).toBe(false);
    await jobs.remove(name);
    await jobs.remove(name);
    expect(await jobRow(name)).toBeUndefined();
  });

  it('a 404 is done; a 500 is retried later with backoff, then succeeds', async () => {
    const jobs = localJobs({ db: t.db });
    const gone = `unknown-${randomUUID()}`;
    const flaky = `reminder-${randomUUID()}`;
    await jobs.schedule({ name: gone, dueTime: new Date(Date.now() - 1000), data: {} });
    const first = clock([404]);
    await createLocalJobRunner({ db: t.db, target: first.app, log }).runOnce();
    expect(await jobRow(gone)).toBeUndefined();

    await jobs.schedule({ name: flaky, dueTime: new Date(Date.now() - 1000), data: {} });
    const c = clock([500, 200]);
    const runner = createLocalJobRunner({ db: t.db, target: c.app, log, baseBackoffMs: 60_000 });
    await runner.runOnce();
    const held = await jobRow(flaky);
    expect(held?.attempts).toBe(1);
    expect(held!.locked_until!.getTime()).toBeGreaterThan(Date.now() + 50_000);
    await runner.runOnce();
    expect(c.fired.filter((f) => f.name === flaky)).toHaveLength(1);
    // The retry falls due (as after a restart: the state is all in the table, a new runner picks it up).
    await t.db
      .updateTable('scheduled_jobs')
      .set({ locked_until: sql`now()` })
      .where('name', '=', flaky)
      .execute();
    await createLocalJobRunner({ db: t.db, target: c.app, log }).runOnce();
    expect(c.fired.filter((f) => f.name === flaky)).toHaveLength(2);
    expect(await jobRow(flaky)).toBeUndefined();
  });

  it('a job rescheduled while it is firing keeps its new schedule', async () => {
    const jobs = localJobs({ db: t.db });
    const name = `reminder-${randomUUID()}`;
    await jobs.schedule({ name, dueTime: new Date(Date.now() - 1000), data: { v: 1 } });
    const app = new Hono();
    app.post('/job/:name', async (c) => {
      await jobs.schedule({ name, dueTime: new Date(Date.now() + 3_600_000), data: { v: 2 } });
      return c.body(null, 200);
    });
    await createLocalJobRunner({ db: t.db, target: app, log }).runOnce();
    expect((await jobRow(name))?.data).toEqual({ v: 2 });
  });

  it('the loop fires a job scheduled after it started, once', async () => {
    const c = clock([]);
    let wake = () => {};
    const jobs = localJobs({ db: t.db, onScheduled: () => wake() });
    const runner = createLocalJobRunner({ db: t.db, target: c.app, log, pollMs: 3_600_000 });
    wake = () => runner.wake();
    runner.start();
    try {
      const name = `reminder-${randomUUID()}`;
      await jobs.schedule({ name, dueTime: new Date(Date.now() + 200), data: { n: 1 } });
      for (let i = 0; i < 200 && !c.fired.some((f) => f.name === name); i++)
        await new Promise((r) => setTimeout(r, 50));
      expect(c.fired.filter((f) => f.name === name)).toEqual([{ name, data: { n: 1 } }]);
    } finally {
      await runner.stop();
    }
  });
});
