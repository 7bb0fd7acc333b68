import { createEventFunctionApp, type EventDeps, type EventHandler, TOPICS } from '@todo/core';
import { sql } from 'kysely';
import {
  cancelScheduled,
  FIRED_STATUSES,
  markCancelled,
  markScheduled,
} from '../core/src/reminders/receipts.ts';
import {
  isSnoozeKey,
  offsetOfKey,
  planReminders,
  type ReminderJobData,
  reminderJobName,
  snoozeJobName,
} from '../core/src/reminders/reminder-plan.ts';

/**
 * scheduleReminder: keeps one job per (task, reminder offset) in step with the task.
 *
 * It reconciles against the task as it is NOW in the database rather than trusting the event's copy, so
 * a redelivered, replayed or out-of-order event converges on the same jobs: the handler is idempotent
 * without a processed-events row. Receipts record what was scheduled; they also let a replay see that an
 * occurrence already fired and must not be armed again.
 */
export const reconcileTaskReminders: EventHandler = async (parsed, deps) => {
  if (parsed.type === 'RecurringTaskInstanceCreated.v1' || parsed.type === 'ReminderDue.v1') return;
  const { task: eventTask, previous, user_id: userId } = parsed.data;
  const taskId = eventTask.id;
  await deps.db.transaction().execute(async (trx) => {
    // One reconciliation per task at a time, even across replicas.
    await sql`select pg_advisory_xact_lock(hashtextextended(${`reminders:${taskId}`}, 0))`.execute(trx);
    const task = await trx
      .selectFrom('tasks')
      .select(['id', 'status', 'due_at', 'reminder_offsets'])
      .where('id', '=', taskId)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    const now = new Date();
    const plan = planReminders(task, now);
    const receipts = await trx
      .selectFrom('reminder_deliveries')
      .select(['occurrence_key', 'status', 'scheduled_for'])
      .where('task_id', '=', taskId)
      .execute();
    const statusesOf = (key: string) => receipts.filter((r) => r.occurrence_key === key).map((r) => r.status);

    for (const reminder of plan.schedule) {
      const statuses = statusesOf(reminder.occurrenceKey);
      if (statuses.some((s) => (FIRED_STATUSES as readonly string[]).includes(s))) continue; // already went out
      if (statuses.length && statuses.every((s) => s === 'scheduled')) continue; // its job is in place
      const data: ReminderJobData = {
        kind: 'reminder',
        task_id: taskId,
        user_id: userId,
        due_at: reminder.dueAt.toISOString(),
        offset_minutes: reminder.offsetMinutes,
        remind_at: reminder.remindAt.toISOString(),
        occurrence_key: reminder.occurrenceKey,
      };
      await deps.jobs.schedule({ name: reminder.jobName, dueTime: reminder.fireAt, data });
      await markScheduled(trx, {
        userId,
        taskId,
        occurrenceKey: reminder.occurrenceKey,
        scheduledFor: reminder.remindAt,
        detail:
          reminder.fireAt > reminder.remindAt ? 'scheduled after its time had passed; fires at once' : null,
      });
    }
    for (const reminder of plan.skipped) {
      await markCancelled(trx, {
        userId,
        taskId,
        occurrenceKey: reminder.occurrenceKey,
        scheduledFor: reminder.remindAt,
        detail: 'skipped: the reminder time and the due date had both passed when it was scheduled',
      });
    }

    // Jobs for offsets the task no longer has (or for a task that is gone or done) are removed.
    const wanted = new Set(plan.schedule.map((r) => r.jobName));
    const known = new Set<number>([
      ...eventTask.reminders,
      ...(previous?.reminders ?? []),
      ...receipts
        .filter((r) => r.status === 'scheduled')
        .map((r) => offsetOfKey(r.occurrence_key))
        .filter((offset) => offset !== null),
    ]);
    for (const offset of known) {
      const name = reminderJobName(taskId, offset);
      if (!wanted.has(name)) await deps.jobs.remove(name);
    }
    const gone = !task || task.status === 'done';
    if (gone) await deps.jobs.remove(snoozeJobName(taskId));

    const wantedKeys = new Set([...plan.schedule, ...plan.skipped].map((r) => r.occurrenceKey));
    const stale = [
      ...new Set(
        receipts
          .filter((r) => r.status === 'scheduled' && !wantedKeys.has(r.occurrence_key))
          .filter((r) => gone || !isSnoozeKey(r.occurrence_key))
          .map((r) => r.occurrence_key),
      ),
    ];
    await cancelScheduled(trx, taskId, stale, cancelReason(task));
  });
};

function cancelReason(task: { status: string; due_at: Date | null } | undefined): string {
  if (!task) return 'cancelled: the task was deleted';
  if (task.status === 'done') return 'cancelled: the task was completed';
  if (!task.due_at) return 'cancelled: the due date was cleared';
  return 'cancelled: the due date or the reminder changed';
}

/** The event function: task-events in, jobs through the JobScheduler port (they fire on the clock). */
export function scheduleReminderApp(deps: EventDeps) {
  return createEventFunctionApp('schedule-reminder', deps, { [TOPICS.taskEvents]: reconcileTaskReminders });
}

export default scheduleReminderApp;
