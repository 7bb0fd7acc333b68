import { enqueueEvent, type FunctionDeps } from '@todo/core';
import { sql } from 'kysely';
import { FIRED_STATUSES, latenessMs } from '../core/src/reminders/receipts.ts';
import { REMINDER_CHANNELS, type ReminderJobData } from '../core/src/reminders/reminder-plan.ts';

export type FireOutcome = 'fired' | 'stale' | 'duplicate';

/**
 * A reminder or snooze job fell due: if the task still wants it, mark its receipts fired and enqueue
 * ReminderDue in the same transaction. The task row lock serialises concurrent or repeated firings of
 * one task, and receipts already past `scheduled` make a repeat a no-op.
 */
export async function fireReminder(deps: FunctionDeps, job: ReminderJobData): Promise<FireOutcome> {
  return deps.db.transaction().execute(async (trx) => {
    const task = await trx
      .selectFrom('tasks')
      .select(['id', 'title', 'status', 'due_at', 'reminder_offsets'])
      .where('id', '=', job.task_id)
      .where('user_id', '=', job.user_id)
      .forUpdate()
      .executeTakeFirst();
    const stillWanted =
      task &&
      task.status !== 'done' &&
      (job.kind === 'snooze' ||
        (task.due_at?.getTime() === Date.parse(job.due_at) &&
          task.reminder_offsets.includes(job.offset_minutes)));
    if (!task || !stillWanted) {
      await trx
        .updateTable('reminder_deliveries')
        .set({
          status: 'cancelled',
          detail: 'stale job: the task changed after it was scheduled',
          updated_at: sql`now()`,
        })
        .where('task_id', '=', job.task_id)
        .where('occurrence_key', '=', job.occurrence_key)
        .where('status', '=', 'scheduled')
        .execute();
      return 'stale';
    }
    // A separate read, after the row lock is held: under READ COMMITTED each statement takes a fresh
    // snapshot, so this one sees receipts committed by a concurrent firing that held the lock before us.
    // (Folding it into the locking SELECT as an EXISTS reads the snapshot from *before* the lock wait,
    // and six concurrent firings then all fire.)
    const prior = await trx
      .selectFrom('reminder_deliveries')
      .select('status')
      .where('task_id', '=', job.task_id)
      .where('occurrence_key', '=', job.occurrence_key)
      .execute();
    if (prior.some((r) => (FIRED_STATUSES as readonly string[]).includes(r.status))) return 'duplicate';

    const firedAt = new Date();
    const lateness = latenessMs(job.remind_at, firedAt);
    await trx
      .insertInto('reminder_deliveries')
      .values(
        REMINDER_CHANNELS.map((channel) => ({
          user_id: job.user_id,
          task_id: job.task_id,
          occurrence_key: job.occurrence_key,
          channel,
          status: 'fired' as const,
          scheduled_for: job.remind_at,
          fired_at: firedAt,
          lateness_ms: lateness,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['task_id', 'occurrence_key', 'channel']).doUpdateSet({
          status: 'fired',
          fired_at: firedAt,
          lateness_ms: lateness,
          detail: null,
          updated_at: sql`now()`,
        }),
      )
      .execute();
    await enqueueEvent(
      trx,
      'ReminderDue.v1',
      {
        user_id: job.user_id,
        task_id: job.task_id,
        title: task.title,
        due_at: job.due_at,
        offset_minutes: job.offset_minutes,
        remind_at: job.remind_at,
        occurrence_key: job.occurrence_key,
      },
      { source: 'clock', subject: job.task_id },
    );
    return 'fired';
  });
}
