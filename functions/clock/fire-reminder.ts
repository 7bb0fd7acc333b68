import { enqueueEvent, type FunctionDeps } from '@todo/core';
import { cancelScheduled, markFired } from '@todo/core/reminders/receipts';
import { reminderRecipientOf } from '@todo/core/reminders/recipient';
import type { ReminderJobData } from '@todo/core/reminders/reminder-plan';

export type FireOutcome = 'fired' | 'stale' | 'duplicate';

/**
 * A reminder or snooze job fell due: if the task still wants it, mark its receipts fired and enqueue
 * ReminderDue in the same transaction. The task row lock serialises concurrent or repeated firings of
 * one task, and receipts that went out make a repeat a no-op (markFired's guard).
 */
export async function fireReminder(deps: FunctionDeps, job: ReminderJobData): Promise<FireOutcome> {
  return deps.db.transaction().execute(async (trx) => {
    const task = await trx
      .selectFrom('tasks')
      .select(['id', 'title', 'status', 'due_at', 'reminder_offsets'])
      .select(reminderRecipientOf().as('recipient'))
      .where('id', '=', job.task_id)
      .forUpdate()
      .executeTakeFirst();
    // Armed for someone the task no longer rings for (it was reassigned since): the job scheduled for
    // the new recipient, under the same name, fires this occurrence; the receipts are theirs now.
    if (task && task.recipient !== job.user_id) return 'stale';
    const stillWanted =
      task &&
      task.status !== 'done' &&
      (job.kind === 'snooze' ||
        (task.due_at?.getTime() === Date.parse(job.due_at) &&
          task.reminder_offsets.includes(job.offset_minutes)));
    const occurrence = {
      userId: job.user_id,
      taskId: job.task_id,
      occurrenceKey: job.occurrence_key,
      scheduledFor: job.remind_at,
    };
    if (!task || !stillWanted) {
      await cancelScheduled(
        trx,
        job.task_id,
        [job.occurrence_key],
        'stale job: the task changed after it was scheduled',
      );
      return 'stale';
    }
    // After the row lock is held, in a statement of its own: under READ COMMITTED each statement takes a
    // fresh snapshot, so markFired's guard sees receipts committed by a concurrent firing that held the
    // lock before us. (Folding the check into the locking SELECT reads the snapshot from *before* the lock
    // wait, and six concurrent firings then all fire.)
    const fired = await markFired(trx, occurrence, new Date());
    if (!fired.length) return 'duplicate';
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
