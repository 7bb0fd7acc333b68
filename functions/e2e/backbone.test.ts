// The event backbone against real engines: Postgres, Apache Kafka (KRaft), the Dapr Scheduler and one
// daprd per event function and the clock — checked through the public API and the broker itself.
import { randomUUID } from 'node:crypto';
import { dropDatabase, ensureDatabase } from '@todo/core/db/admin';
import { connectDatabase } from '@todo/core/db/connect';
import { migrateToLatest } from '@todo/core/db/migrate';
import { makeCloudEvent } from '@todo/core/events';
import { reminderJobName } from '@todo/core/reminders/reminder-plan';
import { INTERNAL_KEY_HEADER, internalKey } from '@todo/core/runtime/clock-jobs';
import { enqueueEvent } from '@todo/core/runtime/outbox';
import type { Kafka } from 'kafkajs';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { deadLetterTopic } from '../../platform/derive/dapr-subscriptions.ts';
import { eventually } from '../testing/database.ts';
import { TEST_JWT_SECRET } from '../testing/stack.ts';
import { type Backbone, startBackbone } from './backbone.ts';

let bb: Backbone;
beforeAll(async () => {
  bb = await startBackbone({ log: process.env.E2E_LOG === '1' });
}, 900_000);
afterAll(async () => {
  await bb?.close();
}, 120_000);

async function call<T = any>(method: string, path: string, opts: { token?: string; body?: unknown } = {}) {
  const res = await fetch(bb.apiUrl + path, {
    method,
    headers: {
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}

const mailsTo = (email: string) =>
  bb.emails.filter((e) => (Array.isArray(e.to) ? e.to : [e.to]).includes(email));
/** Reminder emails only (sign-up also mails a verification link). */
const remindersTo = (email: string) => mailsTo(email).filter((e) => e.subject.startsWith('Reminder:'));

/** A new account whose address is verified (reminder emails go only to verified addresses). */
async function signUp() {
  const email = `u${randomUUID().slice(0, 8)}@example.com`;
  const res = await call('POST', '/api/v1/auth/signup', {
    body: { email, password: 'correct horse battery' },
  });
  expect(res.status).toBe(201);
  const token = await eventually('the verification email', async () =>
    mailsTo(email)
      .map((e) => /\/verify-email\?token=([A-Za-z0-9_-]+)/.exec(e.text ?? '')?.[1])
      .find(Boolean),
  );
  expect((await call('POST', '/api/v1/auth/verify-email', { body: { token } })).status).toBe(204);
  return { id: res.body.user.id as string, token: res.body.token as string, email };
}

async function createTask(token: string, body: Record<string, unknown>) {
  const res = await call('POST', '/api/v1/tasks', { token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; due_at: string | null };
}

const auditRows = (entityId: string) =>
  bb.db.selectFrom('audit_log').selectAll().where('entity_id', '=', entityId).execute();

/** Every message on the topic has been handled by the consumer group (committed offset = end offset). */
async function groupCaughtUp(kafka: Kafka, group: string, topic: string): Promise<boolean> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
    return ends.every((p) => {
      const c = committed?.partitions.find((x) => x.partition === p.partition);
      return Number(p.high) === 0 || (c !== undefined && Number(c.offset) >= Number(p.high));
    });
  } finally {
    await admin.disconnect();
  }
}

/** Reads a topic from the start until `found` matches a message value, or fails after the timeout. */
async function findOnTopic(topic: string, found: (value: string, key: string | null) => boolean) {
  const kafka = bb.kafka();
  // The topic may not exist yet (Dapr creates a dead-letter topic on first use): make sure it does.
  const admin = kafka.admin();
  await admin.connect();
  try {
    // No `waitForLeaders`: kafkajs retries only LEADER_NOT_AVAILABLE there, while a KRaft broker may
    // answer UNKNOWN_TOPIC_OR_PARTITION for a topic created a moment ago (by us or by daprd). Poll the
    // metadata instead, treating either answer as "not yet".
    await admin.createTopics({ topics: [{ topic }], waitForLeaders: false });
    await eventually(`${topic} has a leader`, async () => {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      return topics[0]?.partitions.length && topics[0].partitions.every((p) => p.leader >= 0);
    });
  } finally {
    await admin.disconnect();
  }
  const consumer = kafka.consumer({ groupId: `e2e-probe-${randomUUID()}` });
  await consumer.connect();
  try {
    let hit: string | undefined;
    await eventually(`subscribed to ${topic}`, async () => {
      await consumer.subscribe({ topic, fromBeginning: true });
      return true;
    });
    await consumer.run({
      eachMessage: async ({ message }) => {
        const value = message.value?.toString() ?? '';
        if (found(value, message.key?.toString() ?? null)) hit = value;
      },
    });
    return await eventually(`a matching message on ${topic}`, async () => hit, 60_000);
  } finally {
    await consumer.disconnect();
  }
}

describe('events through Dapr pub/sub on Kafka', () => {
  it('a task written through the API is published with its task id as the Kafka key and reaches audit', async () => {
    const user = await signUp();
    const task = await createTask(user.token, { title: 'Through Kafka' });
    const rows = await eventually(
      'the audit row',
      async () => {
        const r = await auditRows(task.id);
        return r.length ? r : undefined;
      },
      60_000,
    );
    expect(rows.map((r) => r.event_type)).toEqual(['TaskCreated.v1']);
    expect(rows[0]?.actor).toBe(`user:${user.id}`);
    const value = await findOnTopic('task-events', (v, key) => key === task.id && v.includes(task.id));
    expect(JSON.parse(value)).toMatchObject({
      type: 'TaskCreated.v1',
      subject: task.id,
      source: 'create-task',
    });
  });

  it('the same event delivered twice through the broker, and concurrently to the app, has one effect', async () => {
    const user = await signUp();
    const task = await createTask(user.token, { title: 'Twice' });
    const row = await bb.db
      .selectFrom('outbox')
      .select('cloud_event')
      .where('partition_key', '=', task.id)
      .executeTakeFirstOrThrow();
    const event = row.cloud_event as ReturnType<typeof makeCloudEvent>;
    // Two more copies, on other partition keys so different partitions can deliver them side by side.
    await Promise.all([
      bb.publisher.publish('task-events', { ...event, partitionkey: randomUUID() }),
      bb.publisher.publish('task-events', { ...event, partitionkey: randomUUID() }),
    ]);
    const audit = bb.functions.get('audit')!;
    const direct = await Promise.all(
      Array.from({ length: 4 }, () =>
        fetch(`http://127.0.0.1:${audit.server.port}/events/task-events`, {
          method: 'POST',
          headers: { 'content-type': 'application/cloudevents+json', 'dapr-api-token': bb.appToken },
          body: JSON.stringify(event),
        }).then((r) => r.json()),
      ),
    );
    expect(direct).toEqual(Array(4).fill({ status: 'SUCCESS' }));
    // Without daprd's token (a forged delivery straight to the app) it is refused.
    const forged = await fetch(`http://127.0.0.1:${audit.server.port}/events/task-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({ ...event, id: randomUUID() }),
    });
    expect(forged.status).toBe(401);
    await eventually(
      'audit has consumed task-events',
      () => groupCaughtUp(bb.kafka(), 'audit', 'task-events'),
      60_000,
    );
    expect(await auditRows(task.id)).toHaveLength(1);
  });

  it('a poison event goes to the dead-letter topic and the consumer keeps going', async () => {
    const poison = {
      ...makeCloudEvent('TaskCreated.v1', {} as never, { source: 'e2e', subject: randomUUID() }),
    };
    poison.data = { not: 'a task' };
    await bb.publisher.publish('task-events', poison);
    const dead = await findOnTopic(deadLetterTopic('audit', 'task-events'), (v) => v.includes(poison.id));
    expect(JSON.parse(dead)).toMatchObject({ id: poison.id, type: 'TaskCreated.v1' });

    const user = await signUp();
    const task = await createTask(user.token, { title: 'After the poison' });
    await eventually('audit still consumes', async () => (await auditRows(task.id)).length === 1, 60_000);
    expect(
      await bb.db.selectFrom('audit_log').select('id').where('event_id', '=', poison.id).execute(),
    ).toEqual([]);
  });
});

/**
 * An outage of one engine while tasks are created: `stop` takes it down and returns how to bring it back.
 * Writes succeed, the relay's failed publishes wait in the outbox with their error, and once the engine
 * is back every event arrives, each once in effect.
 */
async function createDuringOutage(what: string, count: number, stop: () => Promise<() => Promise<void>>) {
  const user = await signUp();
  const startAgain = await stop();
  const ids: string[] = [];
  try {
    for (let i = 0; i < count; i++)
      ids.push((await createTask(user.token, { title: `${what} outage ${i}` })).id);
    const waiting = await eventually(
      'a failed publish recorded in the outbox',
      async () => {
        const r = await bb.db
          .selectFrom('outbox')
          .select(['attempts', 'last_error'])
          .where('partition_key', 'in', ids)
          .where('sent_at', 'is', null)
          .where('attempts', '>', 0)
          .execute();
        return r.length ? r : undefined;
      },
      90_000,
    );
    expect(waiting[0]?.last_error).toBeTruthy();
  } finally {
    await startAgain();
  }
  for (const id of ids)
    await eventually(
      `the TaskCreated of ${id} in audit`,
      async () => (await auditRows(id)).length > 0,
      180_000,
    );
  await eventually(
    'outbox drained',
    async () => {
      const unsent = await bb.db.selectFrom('outbox').select('id').where('sent_at', 'is', null).execute();
      return unsent.length === 0;
    },
    60_000,
  );
  for (const id of ids) expect((await auditRows(id)).map((r) => r.event_type)).toEqual(['TaskCreated.v1']);
}

describe('faults', () => {
  it('Kafka down while tasks are created: writes succeed, events wait, then every one arrives once', async () => {
    await createDuringOutage('Kafka', 5, () => bb.stopKafka());
  }, 420_000);

  it("the clock's daprd (the publishing sidecar) down while tasks are created: the same", async () => {
    await createDuringOutage('Sidecar', 3, () => bb.stopDaprd('clock'));
  }, 300_000);
});

/** Whether the clock's sidecar holds a job (Dapr answers a missing job with 500 "job not found"). */
async function jobExists(name: string): Promise<boolean> {
  const res = await fetch(`${bb.functions.get('clock')!.daprd.httpUrl}/v1.0-alpha1/jobs/${name}`);
  const text = await res.text();
  if (res.status === 200) return true;
  if (res.status === 500 && text.includes('job not found')) return false;
  throw new Error(`GET job ${name}: ${res.status} ${text}`);
}

describe('reminders through Dapr Jobs', () => {
  it('a reminder fires through the Scheduler: notification stored and an email sent to Resend', async () => {
    const user = await signUp();
    const due = new Date(Date.now() + 12_000).toISOString();
    const task = await createTask(user.token, { title: 'Call the dentist', due_at: due, reminders: [0] });
    const page = await eventually(
      'the notification',
      async () => {
        const res = await call('GET', '/api/v1/notifications', { token: user.token });
        return res.body.items.length ? res.body : undefined;
      },
      120_000,
    );
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({
      task_id: task.id,
      channel: 'in_app',
      title: expect.stringContaining('dentist'),
    });
    const email = await eventually(
      'the email at the Resend endpoint',
      async () => remindersTo(user.email)[0],
    );
    expect(email.subject).toContain('dentist');
    const receipts = await eventually(
      'receipts sent',
      async () => {
        const r = await call('GET', `/api/v1/tasks/${task.id}/reminders`, { token: user.token });
        return r.body.items.length && r.body.items.every((i: { status: string }) => i.status === 'sent')
          ? r.body.items
          : undefined;
      },
      60_000,
    );
    expect(receipts.length).toBeGreaterThan(0);

    // The same ReminderDue again, twice, side by side on other partitions: still one notification, one email.
    const due1 = await bb.db
      .selectFrom('outbox')
      .select('cloud_event')
      .where('partition_key', '=', task.id)
      .where('event_type', '=', 'ReminderDue.v1')
      .executeTakeFirstOrThrow();
    const reminderDue = due1.cloud_event as ReturnType<typeof makeCloudEvent>;
    await Promise.all([
      bb.publisher.publish('reminders', { ...reminderDue, partitionkey: randomUUID() }),
      bb.publisher.publish('reminders', { ...reminderDue, partitionkey: randomUUID() }),
    ]);
    await eventually(
      'notify has consumed reminders',
      () => groupCaughtUp(bb.kafka(), 'notify', 'reminders'),
      60_000,
    );
    expect(remindersTo(user.email)).toHaveLength(1);
    expect((await call('GET', '/api/v1/notifications', { token: user.token })).body.items).toHaveLength(1);
  }, 240_000);

  it('a deleted task’s reminder never fires: its job is gone from the Scheduler', async () => {
    const user = await signUp();
    const due = new Date(Date.now() + 15_000);
    const task = await createTask(user.token, {
      title: 'Never remind me',
      due_at: due.toISOString(),
      reminders: [0],
    });
    const name = reminderJobName(task.id, 0);
    await eventually('the job is scheduled', () => jobExists(name), 60_000);
    expect((await call('DELETE', `/api/v1/tasks/${task.id}`, { token: user.token })).status).toBe(204);
    await eventually('the job is deleted', async () => !(await jobExists(name)), 60_000);
    // Past the due time (and a margin for a late trigger), nothing was sent.
    await new Promise((r) => setTimeout(r, Math.max(0, due.getTime() - Date.now()) + 5_000));
    expect(bb.emails.filter((e) => e.subject.includes('Never remind me'))).toEqual([]);
    const notes = await bb.db
      .selectFrom('notifications')
      .select('id')
      .where('task_id', '=', task.id)
      .execute();
    expect(notes).toEqual([]);
  }, 240_000);

  it('jobs pending while the Scheduler restarts still fire', async () => {
    const user = await signUp();
    // Far enough ahead that the job is still pending when the restart happens on a loaded machine.
    const due = new Date(Date.now() + 45_000).toISOString();
    const task = await createTask(user.token, { title: 'Survive a restart', due_at: due, reminders: [0] });
    const name = reminderJobName(task.id, 0);
    await eventually('the job is scheduled', () => jobExists(name), 30_000);
    await bb.restartScheduler();
    // Still pending in the restarted Scheduler (a one-shot job that fired would be gone) …
    await eventually('the job is back after the restart', () => jobExists(name), 30_000);
    // … and it fires.
    await eventually(
      'the notification after the restart',
      async () => {
        const res = await call('GET', '/api/v1/notifications', { token: user.token });
        return res.body.items.some((n: { task_id: string }) => n.task_id === task.id);
      },
      120_000,
    );
  }, 240_000);
});

describe('the issue’s scenario end to end', () => {
  it('recurring task with a reminder → job fires → ReminderDue → notification + email; complete → next occurrence', async () => {
    const user = await signUp();
    // Whole seconds: occurrences are computed at second precision.
    const due = new Date(Math.ceil((Date.now() + 12_000) / 1000) * 1000);
    const task = await createTask(user.token, {
      title: 'Water the plants',
      due_at: due.toISOString(),
      time_zone: 'Europe/London',
      recurrence: { rule: 'FREQ=DAILY', mode: 'schedule' },
      reminders: [0],
    });
    // The reminder: Scheduler → clock → ReminderDue on Kafka → notify → notification + email.
    await eventually(
      'the notification',
      async () => {
        const res = await call('GET', '/api/v1/notifications', { token: user.token });
        return res.body.items.find((n: { task_id: string }) => n.task_id === task.id);
      },
      120_000,
    );
    const email = await eventually('the email', async () => remindersTo(user.email)[0]);
    expect(email.subject).toContain('Water the plants');

    // Complete it: TaskCompleted on Kafka → schedule-recurrence → the next occurrence, a day later.
    expect((await call('POST', `/api/v1/tasks/${task.id}/complete`, { token: user.token })).status).toBe(200);
    const next = await eventually(
      'the next occurrence',
      async () => {
        const series = await call('GET', `/api/v1/series/${task.id}`, { token: user.token });
        return series.status === 200
          ? series.body.occurrences.find((o: { id: string }) => o.id !== task.id)
          : undefined;
      },
      120_000,
    );
    expect(next).toMatchObject({
      status: 'todo',
      series_id: task.id,
      reminders: [0],
      title: 'Water the plants',
    });
    expect(Date.parse(next.due_at) - due.getTime()).toBe(24 * 3600 * 1000);
    // Its RecurringTaskInstanceCreated travelled on task-updates and was audited.
    await eventually('the audit of the new occurrence', async () =>
      (await auditRows(next.id)).some((r) => r.event_type === 'RecurringTaskInstanceCreated.v1'),
    );
    // Its own reminder job is armed on the clock.
    await eventually(
      'the next occurrence’s reminder job',
      () => jobExists(reminderJobName(next.id, 0)),
      60_000,
    );
  }, 300_000);
});

describe('built containers', () => {
  it('the clock bundle relays its outbox through its daprd and owns Dapr jobs; the audit bundle consumes; both stop on SIGTERM', async () => {
    // A database of their own, so what they do is theirs alone.
    const admin = inject('adminDatabaseUrl');
    const name = `e2e_built_${randomUUID().slice(0, 8)}`;
    const url = await ensureDatabase(admin, name);
    const handle = connectDatabase(url, 2);
    try {
      await migrateToLatest(handle.db as Kysely<unknown>);
      const clock = await bb.startBuiltFunction('clock', 'clock-built', { DATABASE_URL: url });
      const audit = await bb.startBuiltFunction('audit', 'audit-built', {
        DATABASE_URL: url,
        CLOCK_URL: clock.url,
      });

      // Outbox → (NOTIFY) the clock container's relay → its daprd → Kafka → audit's daprd → audit container.
      const taskId = randomUUID();
      const eventId = await handle.db.transaction().execute((trx) =>
        enqueueEvent(
          trx,
          'ReminderDue.v1',
          {
            user_id: randomUUID(),
            task_id: taskId,
            title: 'built',
            due_at: new Date().toISOString(),
            offset_minutes: 0,
            remind_at: new Date().toISOString(),
            occurrence_key: 'built',
          },
          { source: 'e2e', subject: taskId },
        ),
      );
      await eventually(
        'audited by the audit container',
        async () => {
          const rows = await handle.db
            .selectFrom('audit_log')
            .select('event_id')
            .where('event_id', '=', eventId)
            .execute();
          return rows.length === 1;
        },
        120_000,
      );

      // A job scheduled through the clock container lands on its sidecar and fires back to it (an unknown
      // name: the clock answers 404, which Dapr takes as done, so the job is gone).
      const job = `zz-${randomUUID()}`;
      const res = await fetch(`${clock.url}/jobs/${job}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [INTERNAL_KEY_HEADER]: internalKey(TEST_JWT_SECRET) },
        body: JSON.stringify({ dueTime: new Date(Date.now() + 4000).toISOString(), data: { x: 1 } }),
      });
      expect(res.status).toBe(204);
      const exists = async () => {
        const r = await fetch(`${clock.daprd.httpUrl}/v1.0-alpha1/jobs/${job}`);
        const text = await r.text();
        if (r.status === 200) return true;
        if (text.includes('job not found')) return false;
        throw new Error(`${r.status} ${text}`);
      };
      expect(await exists()).toBe(true);
      await eventually('the job fired and is done', async () => !(await exists()), 60_000);

      // SIGTERM: each drains and exits 0 by itself (not killed after the grace period).
      expect(await audit.stop()).toBe(0);
      expect(await clock.stop()).toBe(0);
    } finally {
      await handle.close();
      await dropDatabase(admin, name);
    }
  }, 300_000);
});
