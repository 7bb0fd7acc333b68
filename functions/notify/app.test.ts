import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createLogger,
  createTask,
  type EventDeps,
  eventRoute,
  loadConfig,
  localJobs,
  makeCloudEvent,
  TaskCreate,
  TOPICS,
} from '@todo/core';
import { LIVE_NOTIFICATIONS_CHANNEL, LiveNotification } from '@todo/core/reminders/notifications';
import { occurrenceKey } from '@todo/core/reminders/reminder-plan';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../testing/database.ts';
import { APP_TOKEN_HEADERS, TEST_APP_TOKEN, TEST_JWT_SECRET } from '../testing/stack.ts';
import { notifyApp } from './app.ts';

interface ReceivedEmail {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** A Resend-compatible endpoint on loopback: records each request and answers as `reply` says. */
function fakeResend() {
  const received: ReceivedEmail[] = [];
  const state = {
    reply: [200, { id: 'x' }] as [number, unknown],
    delayMs: 0,
    server: undefined as Server | undefined,
  };
  const server = createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    received.push({
      method: req.method!,
      path: req.url!,
      headers: req.headers,
      body: JSON.parse(text || '{}'),
    });
    if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
    const [status, body] = state.reply;
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(status === 200 ? { id: `email-${received.length}` } : body));
  });
  state.server = server;
  return { received, state, server };
}

const t = useTestDatabase();
const resend = fakeResend();
let baseUrl: string;
let userId: string;
let live: ReturnType<typeof notifyApp>;
let off: ReturnType<typeof notifyApp>;

function depsWith(env: Record<string, string>): EventDeps {
  return {
    db: t.db,
    config: loadConfig({ DATABASE_URL: t.url, LOG_LEVEL: 'silent', ...env }),
    jwtSecret: TEST_JWT_SECRET,
    appToken: TEST_APP_TOKEN,
    log: createLogger('silent'),
    jobs: localJobs({ db: t.db }),
  };
}

beforeAll(async () => {
  resend.server.listen(0, '127.0.0.1');
  await once(resend.server, 'listening');
  baseUrl = `http://127.0.0.1:${(resend.server.address() as AddressInfo).port}`;
  live = notifyApp(
    depsWith({ RESEND_API_KEY: 're_test_key', RESEND_BASE_URL: baseUrl, EMAIL_FROM: 'Todo <r@todo.test>' }),
  );
  off = notifyApp(depsWith({}));
  const user = await t.db
    .insertInto('users')
    .values({
      email: 'ana@example.com',
      password_hash: 'x',
      time_zone: 'Europe/London',
      email_verified_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  userId = user.id;
});
afterAll(() => new Promise<void>((r) => resend.server.close(() => r())));

async function reminderDue(title = 'Pay rent', owner = userId) {
  const due = new Date(Date.now() + 3_600_000);
  const task = await createTask(
    { db: t.db, userId: owner, source: 'test' },
    TaskCreate.parse({ title, due_at: due.toISOString(), reminders: [15] }),
  );
  return makeCloudEvent(
    'ReminderDue.v1',
    {
      user_id: owner,
      task_id: task.id,
      title,
      due_at: task.due_at!,
      offset_minutes: 15,
      remind_at: new Date(Date.parse(task.due_at!) - 15 * 60_000).toISOString(),
      occurrence_key: occurrenceKey(task.due_at!, 15),
    },
    { source: 'clock', subject: task.id },
  );
}

async function deliver(app: ReturnType<typeof notifyApp>, event: unknown): Promise<string> {
  const res = await app.request(eventRoute(TOPICS.reminders), {
    method: 'POST',
    headers: { 'content-type': 'application/cloudevents+json', ...APP_TOKEN_HEADERS },
    body: JSON.stringify(event),
  });
  return ((await res.json()) as { status: string }).status;
}

const emailsFor = (title: string) => resend.received.filter((r) => r.body.subject === `Reminder: ${title}`);
const notificationsOf = (taskId: string) =>
  t.db.selectFrom('notifications').selectAll().where('task_id', '=', taskId).execute();
const receipt = (taskId: string, channel: string) =>
  t.db
    .selectFrom('reminder_deliveries')
    .selectAll()
    .where('task_id', '=', taskId)
    .where('channel', '=', channel)
    .executeTakeFirstOrThrow();

describe('notify: ReminderDue → in-app notification + email', () => {
  it('records one in-app notification, pushes it on the live channel, and sends the email through Resend', async () => {
    const listener = new pg.Client({ connectionString: t.url });
    await listener.connect();
    await listener.query(`listen ${LIVE_NOTIFICATIONS_CHANNEL}`);
    // The channel also carries task changes (the task made below is one): wait for the notification.
    const pushed = new Promise<string>((resolve) =>
      listener.on('notification', (m) => {
        if (!m.payload?.includes('"task_change"')) resolve(m.payload ?? '');
      }),
    );
    const event = await reminderDue('Pay rent');
    expect(await deliver(live, event)).toBe('SUCCESS');

    const [note] = await notificationsOf(event.subject!);
    expect(note).toMatchObject({ user_id: userId, channel: 'in_app', title: 'Pay rent' });
    expect(note!.body).toMatch(/^Due in 15 min: .*\(Europe\/London\)$/);
    const live_ = LiveNotification.parse(JSON.parse(await pushed));
    expect(live_).toMatchObject({ user_id: userId, notification: { id: note!.id, title: 'Pay rent' } });
    await listener.end();

    const [email] = emailsFor('Pay rent');
    expect(email).toMatchObject({
      method: 'POST',
      path: '/emails',
      body: { from: 'Todo <r@todo.test>', to: 'ana@example.com', subject: 'Reminder: Pay rent' },
    });
    expect(email!.headers.authorization).toBe('Bearer re_test_key');
    expect(email!.headers['idempotency-key']).toBe(
      `reminder/${event.subject}/${(event.data as { occurrence_key: string }).occurrence_key}/email`,
    );
    expect(String(email!.body.text)).toContain('Pay rent');

    expect(await receipt(event.subject!, 'in_app')).toMatchObject({ status: 'sent', lateness_ms: 0 });
    const sent = await receipt(event.subject!, 'email');
    expect(sent).toMatchObject({ status: 'sent', detail: expect.stringMatching(/^resend id email-\d+$/) });
    expect(sent.sent_at).toBeInstanceOf(Date);
  });

  it("re-checks ownership: an event naming another user's task, or a title of its own, reaches no one with it", async () => {
    const mallory = await t.db
      .insertInto('users')
      .values({ email: 'mallory@example.com', password_hash: 'x' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const event = await reminderDue('Real title');
    const forged = {
      ...event,
      id: `${event.id}-f`,
      data: { ...(event.data as object), user_id: mallory.id },
    };
    expect(await deliver(live, forged)).toBe('SUCCESS');
    expect(await notificationsOf(event.subject!)).toHaveLength(0);
    expect(resend.received.filter((r) => r.body.to === 'mallory@example.com')).toHaveLength(0);
    // The owner's own reminder shows the task's title from the database, not the event's.
    const retitled = { ...event, data: { ...(event.data as object), title: 'Click evil.example now' } };
    expect(await deliver(live, retitled)).toBe('SUCCESS');
    expect((await notificationsOf(event.subject!))[0]).toMatchObject({ title: 'Real title' });
    expect(emailsFor('Click evil.example now')).toHaveLength(0);
    expect(emailsFor('Real title')).toHaveLength(1);
  });

  it('is exactly once per channel when the same event is redelivered', async () => {
    const event = await reminderDue('Water plants');
    for (let i = 0; i < 3; i++) expect(await deliver(live, event)).toBe('SUCCESS');
    expect(await notificationsOf(event.subject!)).toHaveLength(1);
    expect(emailsFor('Water plants')).toHaveLength(1);
  });

  it('is exactly once per channel under concurrent delivery (a copy that finds the send in flight retries later)', async () => {
    const event = await reminderDue('Book flights');
    resend.state.delayMs = 150;
    const replies = await Promise.all(Array.from({ length: 5 }, () => deliver(live, event)));
    resend.state.delayMs = 0;
    expect(replies).toContain('SUCCESS');
    expect(replies.every((r) => r === 'SUCCESS' || r === 'RETRY')).toBe(true);
    // The transport redelivers each RETRY; once the first send finished they all succeed without effect.
    for (const _ of replies.filter((r) => r === 'RETRY')) expect(await deliver(live, event)).toBe('SUCCESS');
    expect(await notificationsOf(event.subject!)).toHaveLength(1);
    expect(emailsFor('Book flights')).toHaveLength(1);
    expect((await receipt(event.subject!, 'email')).status).toBe('sent');
  });

  it('asks for a retry when Resend fails, then sends with the same idempotency key', async () => {
    const event = await reminderDue('Renew passport');
    resend.state.reply = [500, { name: 'internal_server_error', message: 'boom', statusCode: 500 }];
    expect(await deliver(live, event)).toBe('RETRY');
    expect(await receipt(event.subject!, 'email')).toMatchObject({
      status: 'fired',
      detail: expect.stringContaining('retrying'),
    });
    resend.state.reply = [200, {}];
    expect(await deliver(live, event)).toBe('SUCCESS');
    const attempts = emailsFor('Renew passport');
    expect(attempts).toHaveLength(2);
    expect(attempts[0]!.headers['idempotency-key']).toBe(attempts[1]!.headers['idempotency-key']);
    expect((await receipt(event.subject!, 'email')).status).toBe('sent');
    expect(await notificationsOf(event.subject!)).toHaveLength(1);
  });

  it('marks the email failed (no retry) when Resend rejects it as invalid', async () => {
    const event = await reminderDue('Bad address');
    resend.state.reply = [422, { name: 'validation_error', message: 'Invalid `to` field', statusCode: 422 }];
    expect(await deliver(live, event)).toBe('SUCCESS');
    resend.state.reply = [200, {}];
    expect(await receipt(event.subject!, 'email')).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining('422'),
    });
    expect(await deliver(live, event)).toBe('SUCCESS');
    expect(emailsFor('Bad address')).toHaveLength(1);
  });

  it('with email off, still records the notification and says the email was only logged', async () => {
    const event = await reminderDue('Quiet');
    expect(await deliver(off, event)).toBe('SUCCESS');
    expect(await notificationsOf(event.subject!)).toHaveLength(1);
    expect(emailsFor('Quiet')).toHaveLength(0);
    expect(await receipt(event.subject!, 'email')).toMatchObject({
      status: 'cancelled',
      detail: expect.stringContaining('email is off'),
    });
  });

  it('emails only a verified address: unverified, the in-app notification arrives and the receipt says why', async () => {
    const unverified = await t.db
      .insertInto('users')
      .values({ email: 'unverified@example.com', password_hash: 'x' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const event = await reminderDue('Unverified', unverified.id);
    expect(await deliver(live, event)).toBe('SUCCESS');
    expect(await notificationsOf(event.subject!)).toHaveLength(1);
    expect(emailsFor('Unverified')).toHaveLength(0);
    expect(await receipt(event.subject!, 'email')).toMatchObject({
      status: 'cancelled',
      detail: expect.stringContaining('not verified'),
    });
  });

  it('drops a ReminderDue that fails its schema', async () => {
    const event = await reminderDue('Broken');
    expect(await deliver(live, { ...event, data: { ...(event.data as object), task_id: 'no' } })).toBe(
      'DROP',
    );
  });
});

describe('notify: sharing (issue 13)', () => {
  it('a reminder of a task whose creator was removed from its project is not sent, and the receipts say why', async () => {
    const owner = await t.db
      .insertInto('users')
      .values({ email: 'owner-of-shared@example.com', password_hash: 'x', time_zone: 'UTC' })
      .returning('id')
      .executeTakeFirstOrThrow();
    const project = await t.db
      .insertInto('projects')
      .values({ user_id: owner.id, name: 'Shared', position: 1 })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('project_members')
      .values({ project_id: project.id, user_id: userId, role: 'editor', added_by: owner.id })
      .execute();
    const due = new Date(Date.now() + 3_600_000);
    const task = await createTask(
      { db: t.db, userId, source: 'test' },
      TaskCreate.parse({
        title: 'Shared chore',
        due_at: due.toISOString(),
        reminders: [15],
        project_id: project.id,
      }),
    );
    await t.db
      .deleteFrom('project_members')
      .where('project_id', '=', project.id)
      .where('user_id', '=', userId)
      .execute();
    const event = makeCloudEvent(
      'ReminderDue.v1',
      {
        user_id: userId,
        task_id: task.id,
        title: 'Shared chore',
        due_at: task.due_at!,
        offset_minutes: 15,
        remind_at: new Date(due.getTime() - 15 * 60_000).toISOString(),
        occurrence_key: occurrenceKey(task.due_at!, 15),
      },
      { source: 'clock', subject: task.id },
    );
    expect(await deliver(live, event)).toBe('SUCCESS');
    // Nothing reaches the removed member: no in-app notification (so nothing on their live stream), no email.
    expect(await notificationsOf(task.id)).toEqual([]);
    expect(emailsFor('Shared chore')).toEqual([]);
    for (const channel of ['in_app', 'email']) {
      expect(await receipt(task.id, channel)).toMatchObject({
        status: 'cancelled',
        detail: 'not sent: no longer a member of the project',
      });
    }
  });
});
