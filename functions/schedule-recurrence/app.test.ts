import {
  completeTask,
  createLogger,
  createTask,
  type EventDeps,
  eventRoute,
  loadConfig,
  patchTask,
  reopenTask,
  TaskCreate,
  TOPICS,
} from '@todo/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../testing/database.ts';
import { APP_TOKEN_HEADERS, TEST_APP_TOKEN, TEST_JWT_SECRET } from '../testing/stack.ts';
import { scheduleRecurrenceApp } from './app.ts';

const NY = 'America/New_York';

describe('scheduleRecurrence, called with CloudEvents against the real database', () => {
  const t = useTestDatabase();
  let app: ReturnType<typeof scheduleRecurrenceApp>;
  let userId: string;
  let otherUserId: string;
  const ctx = (user = userId) => ({ db: t.db, userId: user, source: 'test' });

  beforeAll(async () => {
    const deps: EventDeps = {
      db: t.db,
      config: loadConfig({ DATABASE_URL: t.url, LOG_LEVEL: 'silent' }),
      jwtSecret: TEST_JWT_SECRET,
      appToken: TEST_APP_TOKEN,
      log: createLogger('silent'),
      jobs: {
        schedule: async () => {
          throw new Error('scheduleRecurrence schedules no jobs');
        },
        remove: async () => {},
      },
    };
    app = scheduleRecurrenceApp(deps);
    const users = await t.db
      .insertInto('users')
      .values([
        { email: 'rec@example.com', password_hash: 'x' },
        { email: 'other@example.com', password_hash: 'x' },
      ])
      .returning('id')
      .execute();
    userId = users[0]!.id;
    otherUserId = users[1]!.id;
  });

  /** The task's latest TaskCompleted CloudEvent, as the outbox relay would deliver it. */
  async function completionEvent(taskId: string) {
    const row = await t.db
      .selectFrom('outbox')
      .select('cloud_event')
      .where('partition_key', '=', taskId)
      .where('event_type', '=', 'TaskCompleted.v1')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    return row.cloud_event;
  }

  async function deliver(event: unknown) {
    const res = await app.request(eventRoute(TOPICS.taskEvents), {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json', ...APP_TOKEN_HEADERS },
      body: JSON.stringify(event),
    });
    return { status: res.status, body: (await res.json()) as { status: string } };
  }

  const seriesOf = (seriesId: string) =>
    t.db
      .selectFrom('tasks')
      .selectAll()
      .where('series_id', '=', seriesId)
      .orderBy('occurrence_number')
      .execute();

  async function recurring(
    input: Partial<TaskCreate> & {
      rule: string;
      due: string;
      zone?: string;
      mode?: 'schedule' | 'completion';
    },
    user = userId,
  ) {
    return createTask(
      ctx(user),
      TaskCreate.parse({
        title: input.title ?? 'Standup',
        due_at: input.due,
        time_zone: input.zone ?? NY,
        recurrence: { rule: input.rule, mode: input.mode ?? 'schedule' },
        reminders: input.reminders ?? [15],
        priority: input.priority ?? 'high',
        tags: input.tags ?? ['work'],
        description: input.description ?? 'daily sync',
      }),
    );
  }

  async function completeAndDeliver(taskId: string, user = userId) {
    await completeTask(ctx(user), taskId);
    return deliver(await completionEvent(taskId));
  }

  it('completing a daily 09:00 New York task the day before DST starts creates the next at 09:00 EDT', async () => {
    const first = await recurring({ rule: 'FREQ=DAILY', due: '2024-03-09T09:00:00-05:00' });
    expect((await completeAndDeliver(first.id)).body.status).toBe('SUCCESS');
    const [done, next] = await seriesOf(first.series_id!);
    expect(done).toMatchObject({ id: first.id, status: 'done', occurrence_number: 1 });
    expect(next).toMatchObject({
      status: 'todo',
      title: 'Standup',
      description: 'daily sync',
      priority: 'high',
      time_zone: NY,
      recurrence_rule: 'FREQ=DAILY',
      recurrence_mode: 'schedule',
      reminder_offsets: [15],
      series_id: first.series_id,
      occurrence_number: 2,
      previous_occurrence_id: first.id,
      due_local: '2024-03-10T09:00:00',
      completed_at: null,
    });
    expect(next!.due_at).toEqual(new Date('2024-03-10T13:00:00Z')); // 09:00 EDT
    expect(next!.tag_names).toBe('work');
  });

  it('creates nothing when the event names another user (ownership is re-checked in the database)', async () => {
    const first = await recurring({ rule: 'FREQ=DAILY', due: '2024-06-01T09:00:00-04:00' });
    await completeTask(ctx(), first.id);
    const event = (await completionEvent(first.id)) as { id: string; data: Record<string, unknown> };
    const forged = { ...event, id: `${event.id}-forged`, data: { ...event.data, user_id: otherUserId } };
    expect((await deliver(forged)).body.status).toBe('SUCCESS');
    expect(await seriesOf(first.series_id!)).toHaveLength(1);
    const others = await t.db.selectFrom('tasks').select('id').where('user_id', '=', otherUserId).execute();
    expect(others.filter((o) => o.id !== first.id)).toEqual([]);
    // The real event still creates the next occurrence, in the owner's account.
    expect((await deliver(event)).body.status).toBe('SUCCESS');
    const [, next] = await seriesOf(first.series_id!);
    expect(next).toMatchObject({ user_id: userId });
  });

  it('records TaskCreated and RecurringTaskInstanceCreated for the new occurrence in the same transaction', async () => {
    const first = await recurring({ rule: 'FREQ=DAILY', due: '2024-05-01T09:00:00-04:00' });
    await completeAndDeliver(first.id);
    const [, next] = await seriesOf(first.series_id!);
    const events = await t.db
      .selectFrom('outbox')
      .select(['event_type', 'topic', 'cloud_event'])
      .where('partition_key', '=', next!.id)
      .orderBy('id')
      .execute();
    expect(events.map((e) => [e.event_type, e.topic])).toEqual([
      ['TaskCreated.v1', 'task-events'],
      ['RecurringTaskInstanceCreated.v1', 'task-updates'],
    ]);
    expect(events[1]!.cloud_event).toMatchObject({
      data: { series_id: first.series_id, previous_task_id: first.id, task: { id: next!.id } },
    });
  });

  it('monthly BYMONTHDAY=31 goes from 31 January to 31 March', async () => {
    const first = await recurring({ rule: 'FREQ=MONTHLY;BYMONTHDAY=31', due: '2024-01-31T09:00:00-05:00' });
    await completeAndDeliver(first.id);
    const [, next] = await seriesOf(first.series_id!);
    expect(next!.due_at).toEqual(new Date('2024-03-31T13:00:00Z'));
  });

  it('COUNT=3 ends after the third occurrence', async () => {
    let task = await recurring({ rule: 'FREQ=DAILY;COUNT=3', due: '2024-06-01T09:00:00-04:00' });
    for (let i = 0; i < 3; i++) {
      await completeAndDeliver(task.id);
      const rows = await seriesOf(task.series_id!);
      task = { ...task, id: rows[rows.length - 1]!.id };
    }
    const rows = await seriesOf(task.series_id!);
    expect(rows.map((r) => [r.occurrence_number, r.status, r.due_at?.toISOString()])).toEqual([
      [1, 'done', '2024-06-01T13:00:00.000Z'],
      [2, 'done', '2024-06-02T13:00:00.000Z'],
      [3, 'done', '2024-06-03T13:00:00.000Z'],
    ]);
  });

  it('UNTIL ends the series', async () => {
    const first = await recurring({
      rule: 'FREQ=WEEKLY;UNTIL=20240610T235959Z',
      due: '2024-06-04T09:00:00-04:00',
    });
    await completeAndDeliver(first.id);
    const rows = await seriesOf(first.series_id!);
    expect(rows).toHaveLength(1);
  });

  it('completion mode: the next is the day after the completion, at the same wall-clock time', async () => {
    const first = await recurring({
      rule: 'FREQ=DAILY;INTERVAL=2',
      due: '2020-01-01T09:00:00-05:00',
      mode: 'completion',
    });
    await completeAndDeliver(first.id);
    const [done, next] = await seriesOf(first.series_id!);
    const completedDay = new Intl.DateTimeFormat('en-CA', { timeZone: NY }).format(done!.completed_at!);
    const expectedDay = new Date(`${completedDay}T12:00:00Z`);
    expectedDay.setUTCDate(expectedDay.getUTCDate() + 2);
    expect(next!.due_local).toBe(`${expectedDay.toISOString().slice(0, 10)}T09:00:00`);
  });

  it('the same completion event delivered twice, and concurrently, makes one next occurrence', async () => {
    const first = await recurring({ rule: 'FREQ=DAILY', due: '2024-07-01T09:00:00-04:00' });
    await completeTask(ctx(), first.id);
    const event = await completionEvent(first.id);
    const results = await Promise.all([deliver(event), deliver(event), deliver(event)]);
    expect(results.map((r) => r.body.status)).toEqual(['SUCCESS', 'SUCCESS', 'SUCCESS']);
    expect((await deliver(event)).body.status).toBe('SUCCESS');
    expect(await seriesOf(first.series_id!)).toHaveLength(2);
  });

  it('two different completion events of the same occurrence (complete, reopen, complete) make one next', async () => {
    const first = await recurring({ rule: 'FREQ=DAILY', due: '2024-07-10T09:00:00-04:00' });
    await completeTask(ctx(), first.id);
    const a = await completionEvent(first.id);
    await reopenTask(ctx(), first.id);
    await completeTask(ctx(), first.id);
    const b = await completionEvent(first.id);
    expect(a.id).not.toBe(b.id);
    await Promise.all([deliver(a), deliver(b)]);
    expect(await seriesOf(first.series_id!)).toHaveLength(2);
  });

  it('ignores completions of non-recurring tasks and other event types', async () => {
    const plain = await createTask(
      ctx(),
      TaskCreate.parse({ title: 'once', due_at: '2024-07-01T09:00:00Z' }),
    );
    expect((await completeAndDeliver(plain.id)).body.status).toBe('SUCCESS');
    const rec = await recurring({ rule: 'FREQ=DAILY', due: '2024-08-01T09:00:00-04:00' });
    await patchTask(ctx(), rec.id, { title: 'renamed' });
    const updated = await t.db
      .selectFrom('outbox')
      .select('cloud_event')
      .where('partition_key', '=', rec.id)
      .where('event_type', '=', 'TaskUpdated.v1')
      .executeTakeFirstOrThrow();
    expect((await deliver(updated.cloud_event)).body.status).toBe('SUCCESS');
    expect(await seriesOf(rec.series_id!)).toHaveLength(1);
    const plainCount = await t.db
      .selectFrom('tasks')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('title', '=', 'once')
      .executeTakeFirstOrThrow();
    expect(Number(plainCount.n)).toBe(1);
  });

  it("creates the next occurrence for the completing user only, with that user's tags", async () => {
    const theirs = await recurring(
      { rule: 'FREQ=DAILY', due: '2024-09-01T09:00:00-04:00', tags: ['home'] },
      otherUserId,
    );
    await completeAndDeliver(theirs.id, otherUserId);
    const [, next] = await seriesOf(theirs.series_id!);
    expect(next!.user_id).toBe(otherUserId);
    const tags = await t.db
      .selectFrom('task_tags')
      .innerJoin('tags', 'tags.id', 'task_tags.tag_id')
      .select(['tags.user_id', 'tags.name'])
      .where('task_tags.task_id', '=', next!.id)
      .execute();
    expect(tags).toEqual([{ user_id: otherUserId, name: 'home' }]);
  });

  it("brings a recurring parent's subtasks to the next occurrence, open, their due dates moved with it", async () => {
    // Weekly on Saturdays at 09:00 New York; the next one (15 March 2025) is past the DST change of
    // 9 March, so the shift is one week of wall-clock time, not 168 hours.
    const parent = await recurring({ rule: 'FREQ=WEEKLY', due: '2025-03-08T09:00:00-05:00', tags: [] });
    const sub = (input: Partial<TaskCreate>) =>
      createTask(ctx(), TaskCreate.parse({ title: 'sub', parent_id: parent.id, ...input }));
    const shop = await sub({
      title: 'Buy snacks',
      description: 'the salty ones',
      priority: 'low',
      tags: ['errands'],
      due_at: '2025-03-07T18:00:00-05:00', // the evening before, 18:00 EST
      time_zone: NY,
      reminders: [30],
    });
    const done = await sub({ title: 'Book room', status: 'done' });
    expect((await completeAndDeliver(parent.id)).body.status).toBe('SUCCESS');
    const [, next] = await seriesOf(parent.series_id!);

    const copies = await t.db
      .selectFrom('tasks')
      .selectAll()
      .where('parent_id', '=', next!.id)
      .orderBy('title')
      .execute();
    expect(copies.map((c) => [c.title, c.status, c.completed_at, c.project_id])).toEqual([
      ['Book room', 'todo', null, next!.project_id],
      ['Buy snacks', 'todo', null, next!.project_id],
    ]);
    const snacks = copies.find((c) => c.title === 'Buy snacks')!;
    expect(snacks).toMatchObject({
      description: 'the salty ones',
      priority: 'low',
      reminder_offsets: [30],
      tag_names: 'errands',
      recurrence_rule: null,
      series_id: null,
    });
    // Still the evening before at 18:00, now EDT: a week of wall-clock time, as the parent moved.
    expect(snacks.due_at).toEqual(new Date('2025-03-14T22:00:00Z'));
    expect(copies.find((c) => c.title === 'Book room')!.due_at).toBeNull();
    // The originals stay with the completed occurrence, as they were.
    const originals = await t.db
      .selectFrom('tasks')
      .select(['id', 'status'])
      .where('parent_id', '=', parent.id)
      .orderBy('title')
      .execute();
    expect(originals).toEqual([
      { id: done.id, status: 'done' },
      { id: shop.id, status: 'todo' },
    ]);
    // Each copy has its TaskCreated (reminders follow it), after the parent's; a redelivery copies nothing.
    const created = await t.db
      .selectFrom('outbox')
      .select(['partition_key'])
      .where('event_type', '=', 'TaskCreated.v1')
      .where('partition_key', 'in', [next!.id, ...copies.map((c) => c.id)])
      .orderBy('id')
      .execute();
    // In the originals' order: the snacks were added first.
    expect(created.map((r) => r.partition_key)).toEqual([next!.id, copies[1]!.id, copies[0]!.id]);
    const again = await completionEvent(parent.id);
    await deliver({ ...(again as object), id: `${(again as { id: string }).id}-again` });
    const after = await t.db.selectFrom('tasks').select('id').where('parent_id', '=', next!.id).execute();
    expect(after).toHaveLength(2);
  });

  it('reads a completion written before subtasks (no parent_id, no subtasks) as before', async () => {
    const first = await recurring({ rule: 'FREQ=DAILY', due: '2024-07-01T09:00:00-04:00' });
    await completeTask(ctx(), first.id);
    const event = (await completionEvent(first.id)) as { data: { task: any; previous: any } };
    for (const task of [event.data.task, event.data.previous]) {
      delete task.parent_id;
      delete task.subtasks;
    }
    expect((await deliver(event)).body.status).toBe('SUCCESS');
    expect(await seriesOf(first.series_id!)).toHaveLength(2);
  });

  it('drops a malformed event to the dead letter instead of retrying it', async () => {
    const res = await deliver({
      specversion: '1.0',
      id: 'x',
      source: 's',
      type: 'TaskCompleted.v1',
      time: 'now',
      data: {},
    });
    expect(res.body.status).toBe('DROP');
  });
});
