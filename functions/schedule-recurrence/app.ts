import { createEventFunctionApp, type EventDeps, type EventHandler, onceOnly, TOPICS } from '@todo/core';
import { createNextOccurrence } from '@todo/core/tasks/next-occurrence';

const CONSUMER = 'schedule-recurrence';

/**
 * scheduleRecurrence: when an occurrence of a recurring task is completed — or skipped, which closes it
 * the same way and emits the same TaskCompleted — create the next occurrence as a new task.
 *
 * Idempotent twice over: onceOnly by event id (a redelivered event does nothing), and the unique
 * "next of" key on the new task (a second completion of the same occurrence, or a concurrent delivery,
 * finds the next one already there).
 */
export const createNextOnCompletion: EventHandler = async (parsed, deps) => {
  if (parsed.type !== 'TaskCompleted.v1') return;
  const { task, user_id: userId } = parsed.data;
  if (!task.recurrence || !task.series_id) return;
  // Never trust the event alone to write into an account: the completed occurrence must be that user's
  // and in that series in the database (a forged event is refused at the door; this is the second lock).
  const owned = await deps.db
    .selectFrom('tasks')
    .select('id')
    .where('id', '=', task.id)
    .where('user_id', '=', userId)
    .where('series_id', '=', task.series_id)
    .executeTakeFirst();
  if (!owned) {
    deps.log.warn('completion names a task that is not that user’s; ignoring it', {
      fn: CONSUMER,
      task: task.id,
      event: parsed.event.id,
    });
    return;
  }
  await onceOnly(deps.db, CONSUMER, parsed.event.id, async (trx) => {
    const next = await createNextOccurrence(trx, { completed: task, userId, source: CONSUMER });
    deps.log.info(next ? 'next occurrence created' : 'no next occurrence', {
      fn: CONSUMER,
      series: task.series_id,
      after: task.id,
      next: next?.id,
      due: next?.due_at,
    });
  });
};

export function scheduleRecurrenceApp(deps: EventDeps) {
  return createEventFunctionApp(CONSUMER, deps, { [TOPICS.taskEvents]: createNextOnCompletion });
}

export default scheduleRecurrenceApp;
