import { localJobs } from '@todo/core/runtime/local-transport';
import { createLogger } from '@todo/core/runtime/log';
import type { JobScheduler } from '@todo/core/runtime/ports';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { eventually } from '../testing/database.ts';
import { type TestUser, useTestApi } from '../testing/stack.ts';
import { notificationsApp } from './app.ts';

const api = useTestApi();
const HOUR = 3_600_000;

/**
 * Runs the transport until `check` holds. settle() drains what is claimable now, but the background
 * relay and job runner may hold an item in flight at that moment, so the outcome is awaited, not assumed.
 */
const settledUntil = <T>(what: string, check: () => Promise<T | undefined | false>) =>
  eventually(what, async () => {
    await api.stack.transport.settle();
    return check();
  });

const receiptsOf = (taskId: string) =>
  api.stack.db
    .selectFrom('reminder_deliveries')
    .select(['channel', 'status', 'occurrence_key'])
    .where('task_id', '=', taskId)
    .execute();

/** Moves the task's pending jobs to now, as if their time had come, and waits for their notifications. */
async function timePasses(taskId: string, jobName = '%') {
  const pending = await api.stack.db
    .selectFrom('scheduled_jobs')
    .select('name')
    .where('name', 'like', `%${taskId}%`)
    .where('name', 'like', jobName)
    .execute();
  await sql`update scheduled_jobs set due_at = now() where name like ${`%${taskId}%`} and name like ${jobName}`.execute(
    api.stack.db,
  );
  await settledUntil('the fired reminders are delivered', async () => {
    const jobsLeft = await api.stack.db
      .selectFrom('scheduled_jobs')
      .select('name')
      .where('name', 'in', pending.length ? pending.map((p) => p.name) : ['-'])
      .execute();
    const receipts = await receiptsOf(taskId);
    return jobsLeft.length === 0 && receipts.every((r) => r.status !== 'fired');
  });
}

async function taskWithReminder(user: TestUser, title: string, reminders = [0]) {
  const res = await api.json('POST', '/api/v1/tasks', {
    token: user.token,
    body: { title, due_at: new Date(Date.now() + 2 * HOUR).toISOString(), reminders },
  });
  expect(res.status).toBe(201);
  await api.stack.transport.settle();
  return res.body.id as string;
}

async function remindedTask(user: TestUser, title: string) {
  const id = await taskWithReminder(user, title);
  await timePasses(id);
  const list = await api.json('GET', '/api/v1/notifications', { token: user.token });
  const note = list.body.items.find((n: { task_id: string }) => n.task_id === id);
  expect(note).toBeDefined();
  return { taskId: id, note };
}

describe('notifications: the whole chain on the embedded transport', () => {
  it('a reminder job fires through clock and notify into the notification centre, newest first with the unread count', async () => {
    const user = await api.signUp();
    const first = await remindedTask(user, 'Stand-up');
    const second = await remindedTask(user, 'Retro');
    const list = await api.json('GET', '/api/v1/notifications', { token: user.token });
    expect(list.status).toBe(200);
    expect(list.body.items.map((n: { title: string }) => n.title)).toEqual(['Retro', 'Stand-up']);
    expect(list.body.unread_count).toBe(2);
    expect(first.note).toMatchObject({
      channel: 'in_app',
      read_at: null,
      body: expect.stringMatching(/^Due now/),
    });
    expect(second.note.occurrence_key).toMatch(/\/0$/);

    const page = await api.json('GET', '/api/v1/notifications?limit=1', { token: user.token });
    expect(page.body.items).toHaveLength(1);
    const next = await api.json('GET', `/api/v1/notifications?limit=1&cursor=${page.body.next_cursor}`, {
      token: user.token,
    });
    expect(next.body.items[0].title).toBe('Stand-up');
    expect(next.body.next_cursor).toBeNull();
  });

  it('shows the delivery receipts: scheduled → fired → sent per channel, with lateness', async () => {
    const user = await api.signUp();
    const taskId = await taskWithReminder(user, 'Receipts');
    const before = await api.json('GET', `/api/v1/tasks/${taskId}/reminders`, { token: user.token });
    expect(
      before.body.items.map((r: { channel: string; status: string }) => `${r.channel}:${r.status}`),
    ).toEqual(['email:scheduled', 'in_app:scheduled']);
    await timePasses(taskId);
    const after = await api.json('GET', `/api/v1/tasks/${taskId}/reminders`, { token: user.token });
    const inApp = after.body.items.find((r: { channel: string }) => r.channel === 'in_app');
    expect(inApp).toMatchObject({
      status: 'sent',
      fired_at: expect.any(String),
      sent_at: expect.any(String),
    });
    expect(inApp.lateness_ms).toEqual(expect.any(Number));
    // The embedded stack runs without RESEND_API_KEY: the email receipt says so instead of pretending.
    expect(after.body.items.find((r: { channel: string }) => r.channel === 'email')).toMatchObject({
      status: 'cancelled',
      detail: expect.stringContaining('email is off'),
    });
  });

  it('a reminder whose time passed while the task is still ahead fires at once, and its receipt says it was late', async () => {
    const user = await api.signUp();
    const res = await api.json('POST', '/api/v1/tasks', {
      token: user.token,
      body: { title: 'Late notice', due_at: new Date(Date.now() + HOUR).toISOString(), reminders: [120] },
    });
    await settledUntil('the late reminder is sent', async () =>
      (await receiptsOf(res.body.id)).some((r) => r.channel === 'in_app' && r.status === 'sent'),
    );
    const receipts = await api.json('GET', `/api/v1/tasks/${res.body.id}/reminders`, { token: user.token });
    const inApp = receipts.body.items.find((r: { channel: string }) => r.channel === 'in_app');
    expect(inApp.status).toBe('sent');
    expect(inApp.lateness_ms).toBeGreaterThanOrEqual(HOUR);
  });

  it('marks a notification read', async () => {
    const user = await api.signUp();
    const { note } = await remindedTask(user, 'Read me');
    const read = await api.json('POST', `/api/v1/notifications/${note.id}/read`, { token: user.token });
    expect(read.status).toBe(200);
    expect(read.body.read_at).toEqual(expect.any(String));
    const list = await api.json('GET', '/api/v1/notifications?unread=true', { token: user.token });
    expect(list.body).toMatchObject({ items: [], unread_count: 0 });
  });

  it('snoozes: a one-off job on the clock brings the reminder back as a new notification', async () => {
    const user = await api.signUp();
    const { taskId, note } = await remindedTask(user, 'Snooze me');
    const snoozed = await api.json('POST', `/api/v1/notifications/${note.id}/snooze`, {
      token: user.token,
      body: { minutes: 10 },
    });
    expect(snoozed.status).toBe(200);
    expect(Date.parse(snoozed.body.snoozed_until)).toBeGreaterThan(Date.now() + 9 * 60_000);
    // The snooze is a job for the clock, due when the snooze ends.
    const job = await api.stack.db
      .selectFrom('scheduled_jobs')
      .select(['due_at'])
      .where('name', '=', `snooze-${taskId}`)
      .executeTakeFirstOrThrow();
    expect(job.due_at.toISOString()).toBe(new Date(snoozed.body.snoozed_until).toISOString());
    await timePasses(taskId);
    const list = await api.json('GET', '/api/v1/notifications', { token: user.token });
    const forTask = list.body.items.filter((n: { task_id: string }) => n.task_id === taskId);
    expect(forTask).toHaveLength(2);
    expect(forTask[0].occurrence_key).toContain('/snooze/');
    expect(forTask[0].body).toMatch(/^Snoozed reminder/);
  });

  it('schedules the snooze job with no transaction of its own open (in a cluster that is an HTTP call)', async () => {
    const user = await api.signUp();
    const { note } = await remindedTask(user, 'Snooze outside');
    const jobs = localJobs({ db: api.stack.db });
    const seen: number[] = [];
    const probe: JobScheduler = {
      async schedule(job) {
        const { rows } = await sql<{ n: number }>`
          select count(*)::int as n from pg_stat_activity
          where datname = current_database() and backend_type = 'client backend'
            and state like 'idle in transaction%'`.execute(api.stack.db);
        seen.push(rows[0]!.n);
        await jobs.schedule(job);
      },
      remove: (name) => jobs.remove(name),
    };
    const app = notificationsApp({ ...api.stack.deps, jobs: probe });
    const res = await app.request(`/api/v1/notifications/${note.id}/snooze`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ minutes: 10 }),
    });
    expect(res.status).toBe(200);
    expect(seen).toEqual([0]);
  });

  it('a snooze whose job cannot be scheduled fails and records nothing', async () => {
    const user = await api.signUp();
    const { note } = await remindedTask(user, 'Clock down');
    const down: JobScheduler = {
      schedule: async () => {
        throw new Error('clock unreachable');
      },
      remove: async () => {},
    };
    // Silent: the failure is the point, not worth an error line in the test output.
    const app = notificationsApp({ ...api.stack.deps, jobs: down, log: createLogger('silent') });
    const res = await app.request(`/api/v1/notifications/${note.id}/snooze`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ minutes: 10 }),
    });
    expect(res.status).toBeGreaterThanOrEqual(500);
    const after = await api.stack.db
      .selectFrom('notifications')
      .select(['snoozed_until', 'read_at'])
      .where('id', '=', note.id)
      .executeTakeFirstOrThrow();
    expect(after).toEqual({ snoozed_until: null, read_at: null });
    const snoozeReceipts = (await receiptsOf(note.task_id)).filter((r) =>
      r.occurrence_key.includes('/snooze/'),
    );
    expect(snoozeReceipts).toEqual([]);
  });

  it('done completes the task from the notification, and its remaining reminders are removed', async () => {
    const user = await api.signUp();
    const taskId = await taskWithReminder(user, 'Finish me', [0, 30]);
    await sql`update scheduled_jobs set due_at = now() where name = ${`reminder-${taskId}-30`}`.execute(
      api.stack.db,
    );
    await api.stack.transport.settle();
    const list = await api.json('GET', '/api/v1/notifications', { token: user.token });
    const note = list.body.items.find((n: { task_id: string }) => n.task_id === taskId);
    const done = await api.json('POST', `/api/v1/notifications/${note.id}/done`, { token: user.token });
    expect(done.status).toBe(200);
    expect(done.body.read_at).toEqual(expect.any(String));
    const task = await api.json('GET', `/api/v1/tasks/${taskId}`, { token: user.token });
    expect(task.body.status).toBe('done');
    await api.stack.transport.settle();
    const jobs = await api.stack.db
      .selectFrom('scheduled_jobs')
      .select('name')
      .where('name', 'like', `%${taskId}%`)
      .execute();
    expect(jobs).toEqual([]);
  });

  it('rejects bad input with problem+json naming the field', async () => {
    const user = await api.signUp();
    const { note } = await remindedTask(user, 'Validate');
    const tooShort = await api.json('POST', `/api/v1/notifications/${note.id}/snooze`, {
      token: user.token,
      body: { minutes: 0 },
    });
    expect(tooShort.status).toBe(400);
    expect(tooShort.body.errors[0].field).toBe('body.minutes');
    const badId = await api.json('POST', '/api/v1/notifications/not-a-uuid/read', { token: user.token });
    expect(badId.status).toBe(400);
    expect(badId.body.errors[0].field).toBe('path.id');
    const badQuery = await api.json('GET', '/api/v1/notifications?limit=0', { token: user.token });
    expect(badQuery.status).toBe(400);
    const badCursor = await api.json('GET', '/api/v1/notifications?cursor=zzz', { token: user.token });
    expect(badCursor.body.errors[0].field).toBe('query.cursor');
    expect((await api.json('GET', '/api/v1/notifications')).status).toBe(401);
  });

  it("keeps users apart: another user's notifications and receipts are not found", async () => {
    const owner = await api.signUp();
    const other = await api.signUp();
    const { taskId, note } = await remindedTask(owner, 'Private');
    const theirs = await api.json('GET', '/api/v1/notifications', { token: other.token });
    expect(theirs.body).toMatchObject({ items: [], unread_count: 0 });
    for (const action of ['read', 'snooze', 'done']) {
      const res = await api.json('POST', `/api/v1/notifications/${note.id}/${action}`, {
        token: other.token,
        body: action === 'snooze' ? { minutes: 5 } : undefined,
      });
      expect(res.status).toBe(404);
    }
    expect((await api.json('GET', `/api/v1/tasks/${taskId}/reminders`, { token: other.token })).status).toBe(
      404,
    );
    const untouched = await api.json('GET', '/api/v1/notifications', { token: owner.token });
    expect(untouched.body.items[0]).toMatchObject({ read_at: null, snoozed_until: null });
    expect((await api.json('GET', `/api/v1/tasks/${taskId}`, { token: owner.token })).body.status).toBe(
      'todo',
    );
  });
});
