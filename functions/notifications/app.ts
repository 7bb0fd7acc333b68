import {
  completeTask,
  createFunctionApp,
  type FunctionDeps,
  IdParam,
  localJobs,
  notFound,
  ProblemError,
  readBody,
  readParams,
  readQuery,
} from '@todo/core';
import type { Kysely } from 'kysely';
import type { Database } from '../core/src/db/types.ts';
import {
  ListNotificationsQuery,
  SnoozeBody,
  toNotificationJson,
} from '../core/src/reminders/notifications.ts';
import { listReceipts, markScheduled } from '../core/src/reminders/receipts.ts';
import {
  MINUTE_MS,
  offsetOfKey,
  type ReminderJobData,
  snoozeJobName,
  snoozeOccurrenceKey,
} from '../core/src/reminders/reminder-plan.ts';

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string): [string, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(value) &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string' &&
      // What encodeCursor writes: an ISO instant and a UUID. Anything else failed Postgres' casts (500).
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(value[0]) &&
      !Number.isNaN(Date.parse(value[0])) &&
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(value[1])
    )
      return [value[0], value[1]];
  } catch {}
  throw new ProblemError(400, 'Invalid request', 'query.cursor: not a cursor this API issued', [
    { field: 'query.cursor', message: 'not a cursor this API issued' },
  ]);
}

async function ownNotification(db: Kysely<Database>, userId: string, id: string) {
  const row = await db
    .selectFrom('notifications')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!row) throw notFound('Notification');
  return row;
}

/**
 * notifications: the in-app notification centre (list, read, snooze, done) and a task's reminder
 * delivery receipts. Every query is scoped to the caller; another user's ids are simply not found.
 */
export function notificationsApp(deps: FunctionDeps) {
  const app = createFunctionApp('notifications', deps);
  const { db } = deps;
  // Snoozing schedules a job, which must land on the clock's app-id: the container runner passes the
  // clock's /jobs client (this function runs no daprd); the embedded runner's table otherwise.
  const jobs = deps.jobs ?? localJobs({ db });

  app.get('/api/v1/notifications', async function listNotifications(c) {
    const q = readQuery(c, ListNotificationsQuery);
    const userId = c.var.user.id;
    let query = db
      .selectFrom('notifications')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(q.limit + 1);
    if (q.unread) query = query.where('read_at', 'is', null);
    if (q.cursor) {
      const [createdAt, id] = decodeCursor(q.cursor);
      query = query.where((eb) =>
        eb.or([
          eb('created_at', '<', new Date(createdAt)),
          eb.and([eb('created_at', '=', new Date(createdAt)), eb('id', '<', id)]),
        ]),
      );
    }
    const [rows, unread] = await Promise.all([
      query.execute(),
      db
        .selectFrom('notifications')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('user_id', '=', userId)
        .where('read_at', 'is', null)
        .executeTakeFirstOrThrow(),
    ]);
    const page = rows.slice(0, q.limit);
    const last = page.at(-1);
    return c.json({
      items: page.map(toNotificationJson),
      unread_count: Number(unread.n),
      next_cursor: rows.length > q.limit && last ? encodeCursor(last.created_at, last.id) : null,
    });
  });

  app.post('/api/v1/notifications/:id/read', async function markRead(c) {
    const { id } = readParams(c, IdParam);
    const row = await ownNotification(db, c.var.user.id, id);
    const updated = await db
      .updateTable('notifications')
      .set({ read_at: row.read_at ?? new Date() })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return c.json(toNotificationJson(updated));
  });

  app.post('/api/v1/notifications/:id/snooze', async function snooze(c) {
    const { id } = readParams(c, IdParam);
    const { minutes } = await readBody(c, SnoozeBody);
    const userId = c.var.user.id;
    const row = await ownNotification(db, userId, id);
    const until = new Date(Date.now() + minutes * MINUTE_MS);
    const task = await db
      .selectFrom('tasks')
      .select(['id', 'status', 'due_at'])
      .where('id', '=', row.task_id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!task) throw notFound('Task');
    if (task.status === 'done' || !task.due_at)
      throw new ProblemError(
        409,
        'Conflict',
        'The task is done or has no due date; there is nothing to snooze',
      );
    const original = row.occurrence_key.split('/snooze/')[0] ?? row.occurrence_key;
    const data: ReminderJobData = {
      kind: 'snooze',
      task_id: task.id,
      user_id: userId,
      due_at: task.due_at.toISOString(),
      offset_minutes: offsetOfKey(original) ?? 0,
      remind_at: until.toISOString(),
      occurrence_key: snoozeOccurrenceKey(original, until),
    };
    // The job first, and outside any transaction: in a cluster it is an HTTP call to the clock (up to
    // 10 s), which must not hold a connection and row locks meanwhile. If the writes below then fail, the
    // job still fires and the clock re-checks the task (an extra reminder the user asked for); the other
    // order could record a snooze that has no job and never comes back. A failed schedule writes nothing.
    await jobs.schedule({ name: snoozeJobName(task.id), dueTime: until, data });
    const updated = await db.transaction().execute(async (trx) => {
      await markScheduled(trx, {
        userId,
        taskId: task.id,
        occurrenceKey: data.occurrence_key,
        scheduledFor: until,
        detail: 'snoozed',
      });
      return trx
        .updateTable('notifications')
        .set({ snoozed_until: until, read_at: row.read_at ?? new Date() })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
    });
    return c.json(toNotificationJson(updated));
  });

  app.post('/api/v1/notifications/:id/done', async function markDone(c) {
    const { id } = readParams(c, IdParam);
    const userId = c.var.user.id;
    const row = await ownNotification(db, userId, id);
    const current = await db
      .selectFrom('tasks')
      .select('status')
      .where('id', '=', row.task_id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!current) throw notFound('Task');
    // Completing goes through the same write as the API, so its TaskCompleted event removes the reminders.
    if (current.status !== 'done') await completeTask({ db, userId, source: 'notifications' }, row.task_id);
    const updated = await db
      .updateTable('notifications')
      .set({ read_at: row.read_at ?? new Date() })
      .where('id', '=', row.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return c.json(toNotificationJson(updated));
  });

  app.get('/api/v1/tasks/:id/reminders', async function taskReminders(c) {
    const { id } = readParams(c, IdParam);
    const userId = c.var.user.id;
    // The task first, always: a deleted task's receipts outlive it (they are the delivery history), but
    // they are not readable through a task that no longer exists — 404, as for another user's task.
    const owned = await db
      .selectFrom('tasks')
      .select('id')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (!owned) throw notFound('Task');
    const items = await listReceipts(db, userId, id);
    return c.json({ items });
  });

  return app;
}

export default notificationsApp;
