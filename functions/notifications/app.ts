import {
  completeTask,
  conflict,
  createFunctionApp,
  type FunctionDeps,
  localJobs,
  notFound,
  routeHandlers,
} from '@todo/core';
import { visibleProjects } from '@todo/core/projects/access';
import {
  findNotification,
  markNotificationRead,
  notificationPage,
  toNotificationJson,
} from '@todo/core/reminders/notifications';
import { listReceipts, markScheduled } from '@todo/core/reminders/receipts';
import { MINUTE_MS, type ReminderJobData, snoozeJobName, snoozeOf } from '@todo/core/reminders/reminder-plan';
import { functionSpec } from '../catalog.ts';

const spec = functionSpec('notifications');

/**
 * notifications: the in-app notification centre (list, read, snooze, done) and a task's reminder
 * delivery receipts. Every query is scoped to the caller; another user's ids are simply not found.
 */
export function notificationsApp(deps: FunctionDeps) {
  const app = createFunctionApp(spec, deps);
  const handle = routeHandlers(app, spec);
  const { db } = deps;
  // Snoozing schedules a job, which must land on the clock's app-id: the container runner passes the
  // clock's /jobs client (this function runs no daprd); the embedded runner's table otherwise.
  const jobs = deps.jobs ?? localJobs({ db });
  /** The caller's task, or a 404 (another user's task is not found either). */
  async function ownTask(userId: string, taskId: string) {
    const task = await db
      .selectFrom('tasks')
      .select(['id', 'status', 'due_at'])
      .where('id', '=', taskId)
      .where('user_id', '=', userId)
      // Sharing: and still a member of its project (a removed member's task is not found).
      .where('project_id', 'in', visibleProjects(userId))
      .executeTakeFirst();
    if (!task) throw notFound('Task');
    return task;
  }

  handle('listNotifications', async function listNotifications(c, { query: q }) {
    return c.json(await notificationPage(db, c.var.user.id, q));
  });

  handle('markNotificationRead', async function markRead(c, { params: { id } }) {
    const row = await findNotification(db, c.var.user.id, id);
    return c.json(toNotificationJson(await markNotificationRead(db, row)));
  });

  handle('snoozeNotification', async function snooze(c, { params: { id }, body: { minutes } }) {
    const userId = c.var.user.id;
    const row = await findNotification(db, userId, id);
    const until = new Date(Date.now() + minutes * MINUTE_MS);
    const task = await ownTask(userId, row.task_id);
    if (task.status === 'done' || !task.due_at)
      throw conflict('The task is done or has no due date; there is nothing to snooze');
    const snooze = snoozeOf(row.occurrence_key, until);
    const data: ReminderJobData = {
      kind: 'snooze',
      task_id: task.id,
      user_id: userId,
      due_at: task.due_at.toISOString(),
      offset_minutes: snooze.offsetMinutes,
      remind_at: until.toISOString(),
      occurrence_key: snooze.occurrenceKey,
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
      return markNotificationRead(trx, row, until);
    });
    return c.json(toNotificationJson(updated));
  });

  handle('markNotificationDone', async function markDone(c, { params: { id } }) {
    const userId = c.var.user.id;
    const row = await findNotification(db, userId, id);
    const current = await ownTask(userId, row.task_id);
    // Completing goes through the same write as the API, so its TaskCompleted event removes the reminders.
    if (current.status !== 'done') await completeTask({ db, userId, source: spec.name }, row.task_id);
    return c.json(toNotificationJson(await markNotificationRead(db, row)));
  });

  handle('listReminderReceipts', async function taskReminders(c, { params: { id } }) {
    const userId = c.var.user.id;
    // The task first, always: a deleted task's receipts outlive it (they are the delivery history), but
    // they are not readable through a task that no longer exists — 404, as for another user's task.
    await ownTask(userId, id);
    const items = await listReceipts(db, userId, id);
    return c.json({ items });
  });

  return app;
}

export default notificationsApp;
