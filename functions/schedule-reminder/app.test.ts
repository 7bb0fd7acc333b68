import {
  completeTask,
  createLogger,
  createTask,
  deleteTask,
  type EventDeps,
  eventRoute,
  type JobScheduler,
  loadConfig,
  patchTask,
  type ScheduledJob,
  TaskCreate,
  TOPICS,
} from '@todo/core';
import { ReminderJobData } from '@todo/core/reminders/reminder-plan';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { countingStatements, eventually, useTestDatabase } from '../testing/database.ts';
import { APP_TOKEN_HEADERS, TEST_APP_TOKEN, TEST_JWT_SECRET, useTestApi } from '../testing/stack.ts';
import { scheduleReminderApp } from './app.ts';

const HOUR = 3_600_000;
const inFuture = (ms: number) => new Date(Date.now() + ms).toISOString();

/** A JobScheduler that keeps the jobs it was asked for, so tests see the resulting state and the calls. */
function recordingJobs() {
  const jobs = new Map<string, ScheduledJob>();
  const calls: string[] = [];
  const scheduler: JobScheduler = {
    async schedule(job) {
      ReminderJobData.parse(job.data);
      calls.push(`schedule ${job.name}`);
      jobs.set(job.name, job);
    },
    async remove(name) {
      calls.push(`remove ${name}`);
      jobs.delete(name);
    },
  };
  return { scheduler, jobs, calls };
}

describe('scheduleReminder against the real database, with a recording scheduler', () => {
  const t = useTestDatabase();
  const rec = recordingJobs();
  let app: ReturnType<typeof scheduleReminderApp>;
  let userId: string;
  const ctx = () => ({ db: t.db, userId, source: 'test' });

  const depsFor = async (jobs: JobScheduler): Promise<EventDeps> => ({
    db: t.db,
    config: loadConfig({ DATABASE_URL: t.url, LOG_LEVEL: 'silent' }),
    jwtSecret: TEST_JWT_SECRET,
    appToken: TEST_APP_TOKEN,
    log: createLogger('silent'),
    jobs,
  });

  beforeAll(async () => {
    app = scheduleReminderApp(await depsFor(rec.scheduler));
    const user = await t.db
      .insertInto('users')
      .values({ email: 'sr@example.com', password_hash: 'x' })
      .returning('id')
      .executeTakeFirstOrThrow();
    userId = user.id;
  });

  /** Every event recorded for the task so far, oldest first, as the transport would deliver them. */
  const eventsOf = async (taskId: string) =>
    (
      await t.db
        .selectFrom('outbox')
        .select('cloud_event')
        .where('partition_key', '=', taskId)
        .orderBy('id')
        .execute()
    ).map((r) => r.cloud_event);

  async function deliver(event: Record<string, unknown>, to = app) {
    const res = await to.request(eventRoute(TOPICS.taskEvents), {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json', ...APP_TOKEN_HEADERS },
      body: JSON.stringify(event),
    });
    expect(await res.json()).toEqual({ status: 'SUCCESS' });
  }
  const deliverLatest = async (taskId: string) => deliver((await eventsOf(taskId)).at(-1)!);
  const receipts = (taskId: string) =>
    t.db
      .selectFrom('reminder_deliveries')
      .select(['occurrence_key', 'channel', 'status', 'scheduled_for', 'detail'])
      .where('task_id', '=', taskId)
      .orderBy('occurrence_key')
      .orderBy('channel')
      .execute();
  const jobsOf = (taskId: string) =>
    [...rec.jobs.values()]
      .filter((j) => j.name.includes(taskId))
      .map((j) => ({ name: j.name, dueTime: j.dueTime.toISOString() }))
      .sort((a, b) => a.name.localeCompare(b.name));

  it('schedules one job per offset at due − offset, and records scheduled receipts per channel', async () => {
    const due = new Date(Date.now() + 2 * HOUR);
    due.setMilliseconds(0);
    const task = await createTask(
      ctx(),
      TaskCreate.parse({ title: 'Dentist', due_at: due.toISOString(), reminders: [0, 30] }),
    );
    await deliverLatest(task.id);
    expect(jobsOf(task.id)).toEqual([
      { name: `reminder-${task.id}-0`, dueTime: due.toISOString() },
      { name: `reminder-${task.id}-30`, dueTime: new Date(due.getTime() - 30 * 60_000).toISOString() },
    ]);
    const job = rec.jobs.get(`reminder-${task.id}-30`)!;
    expect(job.data).toMatchObject({
      kind: 'reminder',
      task_id: task.id,
      user_id: userId,
      offset_minutes: 30,
    });
    const rows = await receipts(task.id);
    expect(rows.map((r) => [r.occurrence_key, r.channel, r.status])).toEqual([
      [`${due.toISOString()}/0`, 'email', 'scheduled'],
      [`${due.toISOString()}/0`, 'in_app', 'scheduled'],
      [`${due.toISOString()}/30`, 'email', 'scheduled'],
      [`${due.toISOString()}/30`, 'in_app', 'scheduled'],
    ]);
    expect(rows[2]!.scheduled_for.toISOString()).toBe(new Date(due.getTime() - 30 * 60_000).toISOString());
  });

  it("ignores an event naming another user's task: that task's jobs and receipts stay", async () => {
    const task = await createTask(
      ctx(),
      TaskCreate.parse({ title: 'Mine', due_at: inFuture(2 * HOUR), reminders: [10] }),
    );
    await deliverLatest(task.id);
    const before = jobsOf(task.id);
    expect(before).toHaveLength(1);
    const other = await t.db
      .insertInto('users')
      .values({ email: `mallory-${task.id}@example.com`, password_hash: 'x' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const event = (await eventsOf(task.id)).at(-1) as { id: string; data: Record<string, unknown> };
    await deliver({ ...event, id: `${event.id}-forged`, data: { ...event.data, user_id: other.id } });
    expect(jobsOf(task.id)).toEqual(before);
    expect((await receipts(task.id)).every((r) => r.status === 'scheduled')).toBe(true);
  });

  it('is idempotent: redelivered and concurrent copies leave the same jobs and receipts', async () => {
    const task = await createTask(
      ctx(),
      TaskCreate.parse({ title: 'Twice', due_at: inFuture(HOUR), reminders: [10] }),
    );
    const [created] = await eventsOf(task.id);
    await deliver(created!);
    const jobsBefore = jobsOf(task.id);
    const receiptsBefore = await receipts(task.id);
    await Promise.all([deliver(created!), deliver(created!)]);
    await deliver(created!);
    expect(jobsOf(task.id)).toEqual(jobsBefore);
    expect(await receipts(task.id)).toEqual(receiptsBefore);
  });

  it('retries (and then converges) when the task changes while its jobs are being scheduled', async () => {
    const task = await createTask(
      ctx(),
      TaskCreate.parse({ title: 'Racing', due_at: inFuture(HOUR), reminders: [0] }),
    );
    const [created] = await eventsOf(task.id);
    const racing = recordingJobs();
    const later = new Date(Date.now() + 4 * HOUR);
    later.setMilliseconds(0);
    // A scheduler slow enough for an edit to land between planning and recording the receipts.
    const slowApp = scheduleReminderApp({
      ...(await depsFor(racing.scheduler)),
      jobs: {
        async schedule(job) {
          await patchTask(ctx(), task.id, { due_at: later.toISOString() });
          await racing.scheduler.schedule(job);
        },
        remove: racing.scheduler.remove,
      },
    });
    const res = await slowApp.request(eventRoute(TOPICS.taskEvents), {
      method: 'POST',
      headers: APP_TOKEN_HEADERS,
      body: JSON.stringify(created),
    });
    expect(await res.json()).toEqual({ status: 'RETRY' });
    expect(await receipts(task.id)).toEqual([]);
    await deliverLatest(task.id);
    expect(jobsOf(task.id)).toEqual([{ name: `reminder-${task.id}-0`, dueTime: later.toISOString() }]);
  });

  it('moves the jobs when the due date moves, and cancels the old occurrence', async () => {
    const task = await createTask(
      ctx(),
      TaskCreate.parse({ title: 'Move me', due_at: inFuture(HOUR), reminders: [5] }),
    );
    await deliverLatest(task.id);
    const later = new Date(Date.now() + 5 * HOUR);
    later.setMilliseconds(0);
    await patchTask(ctx(), task.id, { due_at: later.toISOString() });
    await deliverLatest(task.id);
    expect(jobsOf(task.id)).toEqual([
      { name: `reminder-${task.id}-5`, dueTime: new Date(later.getTime() - 5 * 60_000).toISOString() },
    ]);
    const rows = await receipts(task.id);
    expect(rows.filter((r) => r.status === 'scheduled').map((r) => r.occurrence_key)).toEqual([
      `${later.toISOString()}/5`,
      `${later.toISOString()}/5`,
    ]);
    expect(rows.filter((r) => r.status === 'cancelled')).toHaveLength(2);
  });

  it('removes the jobs of removed offsets and of a cleared due date', async () => {
    const task = await createTask(
      ctx(),
      TaskCreate.parse({ title: 'Trim', due_at: inFuture(HOUR), reminders: [0, 15] }),
    );
    await deliverLatest(task.id);
    await patchTask(ctx(), task.id, { reminders: [15] });
    await deliverLatest(task.id);
    expect(jobsOf(task.id).map((j) => j.name)).toEqual([`reminder-${task.id}-15`]);
    await patchTask(ctx(), task.id, { reminders: [], due_at: null });
    await deliverLatest(task.id);
    expect(jobsOf(task.id)).toEqual([]);
    expect((await receipts(task.id)).every((r) => r.status === 'cancelled')).toBe(true);
  });

  it('removes every job when the task is completed or deleted', async () => {
    const done = await createTask(
      ctx(),
      TaskCreate.parse({ title: 'Finish', due_at: inFuture(HOUR), reminders: [0, 5] }),
    );
    const gone = await createTask(
      ctx(),
      TaskCreate.parse({ title: 'Drop', due_at: inFuture(HOUR), reminders: [0] }),
    );
    await deliverLatest(done.id);
    await deliverLatest(gone.id);
    await completeTask(ctx(), done.id);
    await deleteTask(ctx(), gone.id);
    await deliverLatest(done.id);
    await deliverLatest(gone.id);
    expect(jobsOf(done.id)).toEqual([]);
    expect(jobsOf(gone.id)).toEqual([]);
    expect(rec.calls).toContain(`remove snooze-${done.id}`);
    expect((await receipts(done.id)).map((r) => r.detail)).toEqual(
      Array(4).fill('cancelled: the task was completed'),
    );
    expect((await receipts(gone.id)).map((r) => r.detail)).toEqual(
      Array(2).fill('cancelled: the task was deleted'),
    );
  });

  it('reads the tasks of deliveries that arrive together in one statement, each against its own state', async () => {
    const armed = await createTask(
      ctx(),
      TaskCreate.parse({ title: 'Armed', due_at: inFuture(HOUR), reminders: [0] }),
    );
    const plain = await createTask(ctx(), TaskCreate.parse({ title: 'Plain' }));
    const gone = await createTask(
      ctx(),
      TaskCreate.parse({ title: 'Gone', due_at: inFuture(HOUR), reminders: [0] }),
    );
    await deliverLatest(gone.id);
    await deleteTask(ctx(), gone.id);
    // The same function over a database that counts its state reads (the batched read's statement).
    const { db, seen } = countingStatements(
      t.db,
      (node) => node.kind === 'RawNode' && node.sqlFragments.join('').includes('with ordinality'),
    );
    const counted = scheduleReminderApp({ ...(await depsFor(rec.scheduler)), db });
    const latest = await Promise.all(
      [armed, plain, gone].map(async (task) => (await eventsOf(task.id)).at(-1)!),
    );
    await Promise.all(latest.map((event) => deliver(event, counted)));
    expect(seen.statements).toBe(1);
    expect(jobsOf(armed.id).map((j) => j.name)).toEqual([`reminder-${armed.id}-0`]);
    expect(jobsOf(plain.id)).toEqual([]);
    expect(jobsOf(gone.id)).toEqual([]);
    expect((await receipts(gone.id)).map((r) => r.detail)).toEqual(
      Array(2).fill('cancelled: the task was deleted'),
    );
  });

  it('converges on the current task when an old event is replayed after newer ones', async () => {
    const task = await createTask(
      ctx(),
      TaskCreate.parse({ title: 'Replay', due_at: inFuture(HOUR), reminders: [0] }),
    );
    await deliverLatest(task.id);
    await completeTask(ctx(), task.id);
    await deliverLatest(task.id);
    const [created] = await eventsOf(task.id);
    await deliver(created!); // the stale TaskCreated arrives again
    expect(jobsOf(task.id)).toEqual([]);
  });

  it('fires a passed reminder at once (late) within the grace, and skips it once the task is long overdue', async () => {
    const soon = await createTask(
      ctx(),
      TaskCreate.parse({ title: 'Soon', due_at: inFuture(10 * 60_000), reminders: [60] }),
    );
    await deliverLatest(soon.id);
    const [job] = jobsOf(soon.id);
    expect(Date.parse(job!.dueTime)).toBeLessThanOrEqual(Date.now());
    expect((await receipts(soon.id))[0]!.detail).toBe('scheduled after its time had passed; fires at once');

    // Events held up by an outage: the task fell due 10 minutes ago; its reminder still fires, late.
    const delayed = await createTask(
      ctx(),
      TaskCreate.parse({ title: 'Delayed', due_at: inFuture(-10 * 60_000), reminders: [0] }),
    );
    await deliverLatest(delayed.id);
    expect(jobsOf(delayed.id)).toHaveLength(1);

    const late = await createTask(
      ctx(),
      TaskCreate.parse({ title: 'Late', due_at: inFuture(-2 * HOUR), reminders: [0] }),
    );
    await deliverLatest(late.id);
    expect(jobsOf(late.id)).toEqual([]);
    expect((await receipts(late.id)).map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('never re-arms an occurrence that already went out', async () => {
    const task = await createTask(
      ctx(),
      TaskCreate.parse({ title: 'Sent', due_at: inFuture(10 * 60_000), reminders: [60] }),
    );
    await deliverLatest(task.id);
    rec.jobs.delete(`reminder-${task.id}-60`); // the job fired and is gone
    await t.db
      .updateTable('reminder_deliveries')
      .set({ status: 'sent' })
      .where('task_id', '=', task.id)
      .execute();
    await patchTask(ctx(), task.id, { title: 'Sent (renamed)' });
    await deliverLatest(task.id);
    expect(jobsOf(task.id)).toEqual([]);
  });

  it('drops an event that fails its schema', async () => {
    const res = await app.request(eventRoute(TOPICS.taskEvents), {
      method: 'POST',
      headers: APP_TOKEN_HEADERS,
      body: JSON.stringify({
        specversion: '1.0',
        id: 'x',
        source: 't',
        type: 'TaskCreated.v1',
        time: 'now',
        data: { task: 1 },
      }),
    });
    expect(await res.json()).toEqual({ status: 'DROP' });
  });
});

describe('scheduleReminder through the embedded transport (outbox relay → local bus → local jobs)', () => {
  const api = useTestApi();
  const jobsOf = (taskId: string) =>
    api.stack.db
      .selectFrom('scheduled_jobs')
      .select(['name', 'due_at'])
      .where('name', 'like', `%${taskId}%`)
      .orderBy('name')
      .execute();

  it('keeps the durable jobs in step with the API: create, move, trim, complete', async () => {
    const user = await api.signUp();
    const due = new Date(Date.now() + 3 * HOUR);
    due.setMilliseconds(0);
    const created = await api.json('POST', '/api/v1/tasks', {
      token: user.token,
      body: { title: 'Through the bus', due_at: due.toISOString(), reminders: [0, 60] },
    });
    const id = created.body.id as string;
    await api.stack.transport.settle();
    expect(await jobsOf(id)).toEqual([
      { name: `reminder-${id}-0`, due_at: due },
      { name: `reminder-${id}-60`, due_at: new Date(due.getTime() - HOUR) },
    ]);

    const moved = new Date(due.getTime() + 24 * HOUR);
    await api.json('PATCH', `/api/v1/tasks/${id}`, {
      token: user.token,
      body: { due_at: moved.toISOString(), reminders: [60] },
    });
    await api.stack.transport.settle();
    expect(await jobsOf(id)).toEqual([
      { name: `reminder-${id}-60`, due_at: new Date(moved.getTime() - HOUR) },
    ]);

    await api.json('POST', `/api/v1/tasks/${id}/complete`, { token: user.token });
    await api.stack.transport.settle();
    expect(await jobsOf(id)).toEqual([]);
  });

  it("a recurring task's next occurrence gets its own reminder job", async () => {
    const user = await api.signUp();
    const due = new Date(Date.now() + 2 * HOUR);
    due.setSeconds(0, 0);
    const created = await api.json('POST', '/api/v1/tasks', {
      token: user.token,
      body: {
        title: 'Weekly review',
        due_at: due.toISOString(),
        recurrence: { rule: 'FREQ=WEEKLY' },
        reminders: [30],
      },
    });
    await api.stack.transport.settle();
    await api.json('POST', `/api/v1/tasks/${created.body.id}/complete`, { token: user.token });
    const next = await eventually('the next occurrence exists', async () => {
      await api.stack.transport.settle();
      const page = await api.json('GET', `/api/v1/tasks?series_id=${created.body.id}&status=todo`, {
        token: user.token,
      });
      return page.body.items[0] as { id: string; due_at: string } | undefined;
    });
    await eventually('its reminder job is scheduled', async () => {
      await api.stack.transport.settle();
      const jobs = await jobsOf(next.id);
      return jobs.length === 1 && jobs[0]!.due_at.getTime() === Date.parse(next.due_at) - 30 * 60_000;
    });
    expect(await jobsOf(created.body.id)).toEqual([]);
  });

  it('a deleted task never fires its reminder', async () => {
    const user = await api.signUp();
    const created = await api.json('POST', '/api/v1/tasks', {
      token: user.token,
      body: { title: 'Never', due_at: inFuture(HOUR), reminders: [0] },
    });
    await api.stack.transport.settle();
    await api.json('DELETE', `/api/v1/tasks/${created.body.id}`, { token: user.token });
    await api.stack.transport.settle();
    expect(await jobsOf(created.body.id)).toEqual([]);
    const { rows } = await sql<{
      n: number;
    }>`select count(*)::int as n from notifications where task_id = ${created.body.id}`.execute(api.stack.db);
    expect(rows[0]!.n).toBe(0);
  });
});
