import {
  completeTask,
  createLocalJobRunner,
  createLogger,
  createTask,
  deleteTask,
  type EventDeps,
  loadConfig,
  localJobs,
  patchTask,
  TaskCreate,
} from '@todo/core';
import { occurrenceKey, type ReminderJobData, reminderJobName } from '@todo/core/reminders/reminder-plan';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../testing/database.ts';
import { APP_TOKEN_HEADERS, TEST_APP_TOKEN, TEST_JWT_SECRET } from '../testing/stack.ts';
import { clockApp } from './app.ts';

const t = useTestDatabase();
let app: ReturnType<typeof clockApp>;
let deps: EventDeps;
let userId: string;
const ctx = () => ({ db: t.db, userId, source: 'test' });

beforeAll(async () => {
  deps = {
    db: t.db,
    config: loadConfig({ DATABASE_URL: t.url, LOG_LEVEL: 'silent' }),
    jwtSecret: TEST_JWT_SECRET,
    appToken: TEST_APP_TOKEN,
    log: createLogger('silent'),
    jobs: localJobs({ db: t.db }),
  };
  app = clockApp(deps);
  const user = await t.db
    .insertInto('users')
    .values({ email: 'clock@example.com', password_hash: 'x' })
    .returning('id')
    .executeTakeFirstOrThrow();
  userId = user.id;
});

async function taskWithReminder(offset = 0) {
  const due = new Date(Date.now() + 3_600_000);
  const task = await createTask(
    ctx(),
    TaskCreate.parse({ title: 'Call Ana', due_at: due.toISOString(), reminders: [offset] }),
  );
  const data: ReminderJobData = {
    kind: 'reminder',
    task_id: task.id,
    user_id: userId,
    due_at: task.due_at!,
    offset_minutes: offset,
    remind_at: new Date(Date.parse(task.due_at!) - offset * 60_000).toISOString(),
    occurrence_key: occurrenceKey(task.due_at!, offset),
  };
  return { task, data, name: reminderJobName(task.id, offset) };
}

const fire = async (name: string, body: unknown): Promise<Response> =>
  app.request(`/job/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...APP_TOKEN_HEADERS },
    body: JSON.stringify(body),
  });

const reminderEvents = async (taskId: string) =>
  (
    await t.db
      .selectFrom('outbox')
      .select('cloud_event')
      .where('partition_key', '=', taskId)
      .where('event_type', '=', 'ReminderDue.v1')
      .execute()
  ).map((r) => r.cloud_event);

const receiptStatuses = async (taskId: string) =>
  (
    await t.db
      .selectFrom('reminder_deliveries')
      .select(['channel', 'status'])
      .where('task_id', '=', taskId)
      .orderBy('channel')
      .execute()
  ).map((r) => `${r.channel}:${r.status}`);

describe('clock: POST /job/<name>', () => {
  it('turns a due reminder into ReminderDue through the outbox and marks its receipts fired with lateness', async () => {
    const { task, data, name } = await taskWithReminder(15);
    const res = await fire(name, data);
    expect(res.status).toBe(200);
    const events = await reminderEvents(task.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      type: 'ReminderDue.v1',
      source: 'clock',
      subject: task.id,
      data: {
        task_id: task.id,
        user_id: userId,
        title: 'Call Ana',
        offset_minutes: 15,
        occurrence_key: data.occurrence_key,
      },
    });
    const rows = await t.db
      .selectFrom('reminder_deliveries')
      .selectAll()
      .where('task_id', '=', task.id)
      .execute();
    expect(rows.map((r) => r.status)).toEqual(['fired', 'fired']);
    expect(rows[0]!.fired_at).toBeInstanceOf(Date);
    expect(rows[0]!.lateness_ms).toBe(0); // fired 45 minutes early in this test: lateness never goes negative
  });

  it('fires once however often and however concurrently the same job arrives', async () => {
    const { task, data, name } = await taskWithReminder();
    const replies = await Promise.all(Array.from({ length: 6 }, () => fire(name, data)));
    expect(replies.map((r) => r.status)).toEqual(Array(6).fill(200));
    expect((await fire(name, data)).status).toBe(200);
    expect(await reminderEvents(task.id)).toHaveLength(1);
  });

  it('answers 200 and does nothing for a stale job: due date moved, offset removed, task done or deleted', async () => {
    const moved = await taskWithReminder();
    await patchTask(ctx(), moved.task.id, { due_at: new Date(Date.now() + 7_200_000).toISOString() });
    const trimmed = await taskWithReminder(5);
    await patchTask(ctx(), trimmed.task.id, { reminders: [10] });
    const done = await taskWithReminder();
    await completeTask(ctx(), done.task.id);
    const deleted = await taskWithReminder();
    await deleteTask(ctx(), deleted.task.id);
    for (const job of [moved, trimmed, done, deleted]) {
      const res = await fire(job.name, job.data);
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: 'done' });
      expect(await reminderEvents(job.task.id)).toEqual([]);
    }
  });

  it("refuses another user's task: the job's user must own it", async () => {
    const { task, data, name } = await taskWithReminder();
    const res = await fire(name, { ...data, user_id: '7d3c1a52-0b1e-4f6a-9c2d-3e4f5a6b7c8d' });
    expect(res.status).toBe(200);
    expect(await reminderEvents(task.id)).toEqual([]);
  });

  it('drops (404, no retry) a job whose data fails its schema, naming the field, and an unknown job kind', async () => {
    const { data, name } = await taskWithReminder();
    const bad = await fire(name, { ...data, task_id: 'nope' });
    expect(bad.status).toBe(404);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(await bad.json())).toContain('body.task_id');
    expect((await fire('mystery-1', {})).status).toBe(404);
  });

  it('accepts the data wrapped the way some Dapr versions deliver it', async () => {
    const { task, data, name } = await taskWithReminder();
    const res = await fire(name, { '@type': 'type.googleapis.com/google.protobuf.Value', value: data });
    expect(res.status).toBe(200);
    expect(await reminderEvents(task.id)).toHaveLength(1);
  });

  it('fires through the local job runner: a durable job due now becomes one ReminderDue', async () => {
    const { task, data, name } = await taskWithReminder();
    await deps.jobs.schedule({ name, dueTime: new Date(Date.now() - 1000), data });
    const runner = createLocalJobRunner({ db: t.db, target: app, log: deps.log, appToken: TEST_APP_TOKEN });
    expect(await runner.runOnce()).toBeGreaterThanOrEqual(1);
    expect(await reminderEvents(task.id)).toHaveLength(1);
    expect(await receiptStatuses(task.id)).toEqual(['email:fired', 'in_app:fired']);
    expect(await t.db.selectFrom('scheduled_jobs').select('name').where('name', '=', name).execute()).toEqual(
      [],
    );
  });
});

describe('clock: the recurring retention job', () => {
  it('arms the next slot, then deletes what is past retention, and reports what it deleted', async () => {
    const old = new Date(Date.now() - 20 * 86_400_000);
    await t.db
      .insertInto('processed_events')
      .values([
        { consumer: 'audit', event_id: 'old-1', processed_at: old },
        { consumer: 'audit', event_id: 'fresh-1' },
      ])
      .execute();
    const slot = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const res = await fire(`retention-${slot / 1000}`, { kind: 'retention' });
    expect(res.status).toBe(200);
    const left = await t.db.selectFrom('processed_events').select('event_id').execute();
    expect(left.map((r) => r.event_id)).toEqual(['fresh-1']);
    const next = await t.db
      .selectFrom('scheduled_jobs')
      .select(['name', 'due_at', 'data'])
      .where('name', 'like', 'retention-%')
      .execute();
    expect(next).toEqual([
      {
        name: `retention-${(slot + 3_600_000) / 1000}`,
        due_at: new Date(slot + 3_600_000),
        data: { kind: 'retention' },
      },
    ]);
  });

  it('drops (404) a retention job whose data is not of its kind', async () => {
    expect((await fire('retention-1', { kind: 'reminder' })).status).toBe(404);
    expect((await fire('retention-1', {})).status).toBe(404);
  });
});
