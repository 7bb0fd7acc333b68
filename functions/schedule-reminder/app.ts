import { createEventFunctionApp, type EventDeps, type ParsedEvent, RetryLater, TOPICS } from '@todo/core';
import type { Database } from '@todo/core/db/types';
import {
  cancelScheduled,
  FIRED_STATUSES,
  markCancelled,
  markScheduled,
  ReceiptStatuses,
  receiptStatusesOf,
} from '@todo/core/reminders/receipts';
import { reminderRecipientOf } from '@todo/core/reminders/recipient';
import {
  isSnoozeKey,
  offsetOfKey,
  planReminders,
  type ReminderJobData,
  reminderJobName,
  snoozeJobName,
} from '@todo/core/reminders/reminder-plan';
import { coalesced } from '@todo/core/runtime/coalesce';
import { type Kysely, sql } from 'kysely';

/** The task as its reminders see it, with whom they ring for (the assignee, else the creator). */
const readTask = (db: Kysely<Database>, taskId: string) =>
  db
    .selectFrom('tasks')
    .select(['id', 'status', 'due_at', 'reminder_offsets'])
    .select(reminderRecipientOf().as('recipient'))
    .where('id', '=', taskId);

type TaskState =
  | { id: string; status: string; due_at: Date | null; reminder_offsets: number[]; recipient: string }
  | undefined;
const fingerprint = (t: TaskState) =>
  t
    ? JSON.stringify([t.status, t.due_at?.getTime() ?? null, [...t.reminder_offsets].sort(), t.recipient])
    : 'gone';

interface ReminderState {
  /** The task's owner; null when the task is gone. */
  owner: string | null;
  task: TaskState;
  receipts: ReturnType<typeof ReceiptStatuses.parse>;
}

/**
 * What every task event needs first, for the tasks of the deliveries that arrive together (coalesced()),
 * in one statement (issue 11): each task's owner (null when the task is gone), the task as its reminders see
 * it, and its receipts, which outlive a deleted task (their scheduled jobs must still be removed). In the
 * order of `taskIds`.
 */
async function readReminderStates(db: Kysely<Database>, taskIds: string[]): Promise<ReminderState[]> {
  const { rows } = await sql<{
    owner: string | null;
    status: string | null;
    due_at: Date | null;
    reminder_offsets: number[] | null;
    recipient: string | null;
    receipts: unknown;
  }>`
    select t.user_id as owner, t.status, t.due_at, t.reminder_offsets, ${reminderRecipientOf('t')} as recipient,
      ${receiptStatusesOf(sql.ref('k.id'))} as receipts
    from unnest(${taskIds}::uuid[]) with ordinality as k(id, n) left join tasks t on t.id = k.id
    order by k.n`.execute(db);
  return rows.map((row, i) => ({
    owner: row.owner,
    task:
      row.owner === null
        ? undefined
        : {
            id: taskIds[i]!,
            status: row.status!,
            due_at: row.due_at,
            reminder_offsets: row.reminder_offsets ?? [],
            recipient: row.recipient!,
          },
    receipts: ReceiptStatuses.parse(row.receipts),
  }));
}

export class TaskChangedWhileScheduling extends RetryLater {
  override readonly name = 'TaskChangedWhileScheduling';
}

/**
 * scheduleReminder: keeps one job per (task, reminder offset) in step with the task.
 *
 * It reconciles against the task as it is NOW in the database rather than trusting the event's copy, so
 * a redelivered, replayed or out-of-order event converges on the same jobs: the handler is idempotent
 * without a processed-events row. Planned jobs are (re)scheduled every time — overwrite makes that
 * harmless — except occurrences whose receipts say they already went out, which are never armed again.
 *
 * No transaction is held across the scheduler calls (the embedded scheduler needs a pool connection of
 * its own, and a Dapr call may be slow). Instead the receipts are written only if the task still looks
 * as it did when the plan was made; if a concurrent change slipped in, the event is retried and the
 * retry schedules from the newer state, overwriting anything stale this attempt wrote.
 */
async function reconcileTaskReminders(
  parsed: ParsedEvent,
  deps: EventDeps,
  readState: (taskId: string) => Promise<ReminderState>,
): Promise<void> {
  if (parsed.type === 'RecurringTaskInstanceCreated.v1' || parsed.type === 'ReminderDue.v1') return;
  const { task: eventTask, previous, user_id: userId } = parsed.data;
  const taskId = eventTask.id;
  const { owner, task, receipts } = await readState(taskId);
  // The event must name the task's owner: an event naming someone else's task changes nothing.
  if (owner !== null && owner !== userId) {
    deps.log.warn('event names a task of another user; ignoring it', {
      task: taskId,
      event: parsed.event.id,
    });
    return;
  }
  // The jobs and receipts are the recipient's: a change of assignee re-schedules them for the new one
  // (same job names: overwritten), so the former assignee hears nothing more.
  const recipient = task?.recipient ?? userId;
  const plan = planReminders(task, new Date());
  // Most tasks never have a reminder: nothing planned, nothing before, no receipt (a snooze leaves one
  // too), so there is no job to add or remove and nothing to record.
  const nothingToDo =
    !receipts.length &&
    !plan.schedule.length &&
    !plan.skipped.length &&
    !eventTask.reminders.length &&
    !previous?.reminders.length;
  if (nothingToDo) return;
  const wentOut = new Set(
    receipts
      .filter((r) => (FIRED_STATUSES as readonly string[]).includes(r.status))
      .map((r) => r.occurrence_key),
  );

  const armed = plan.schedule.filter((r) => !wentOut.has(r.occurrenceKey));
  for (const reminder of armed) {
    const data: ReminderJobData = {
      kind: 'reminder',
      task_id: taskId,
      user_id: recipient,
      due_at: reminder.dueAt.toISOString(),
      offset_minutes: reminder.offsetMinutes,
      remind_at: reminder.remindAt.toISOString(),
      occurrence_key: reminder.occurrenceKey,
    };
    await deps.jobs.schedule({ name: reminder.jobName, dueTime: reminder.fireAt, data });
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

  await deps.db.transaction().execute(async (trx) => {
    const current = await readTask(trx, taskId).forUpdate().executeTakeFirst();
    if (fingerprint(current) !== fingerprint(task))
      throw new TaskChangedWhileScheduling(
        `task ${taskId} changed while its reminders were scheduled; retrying`,
      );
    for (const reminder of armed) {
      await markScheduled(trx, {
        userId: recipient,
        taskId,
        occurrenceKey: reminder.occurrenceKey,
        scheduledFor: reminder.remindAt,
        detail:
          reminder.fireAt > reminder.remindAt ? 'scheduled after its time had passed; fires at once' : null,
      });
    }
    for (const reminder of plan.skipped) {
      await markCancelled(trx, {
        userId: recipient,
        taskId,
        occurrenceKey: reminder.occurrenceKey,
        scheduledFor: reminder.remindAt,
        detail: 'skipped: the task was more than an hour overdue when its reminder was scheduled',
      });
    }
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
}

function cancelReason(task: TaskState): string {
  if (!task) return 'cancelled: the task was deleted';
  if (task.status === 'done') return 'cancelled: the task was completed';
  if (!task.due_at) return 'cancelled: the due date was cleared';
  return 'cancelled: the due date or the reminder changed';
}

/** The event function: task-events in, jobs through the JobScheduler port (they fire on the clock). */
export function scheduleReminderApp(deps: EventDeps) {
  const readState = coalesced((taskIds: string[]) => readReminderStates(deps.db, taskIds));
  return createEventFunctionApp('schedule-reminder', deps, {
    [TOPICS.taskEvents]: (parsed) => reconcileTaskReminders(parsed, deps, readState),
  });
}

export default scheduleReminderApp;
