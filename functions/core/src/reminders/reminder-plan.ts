import { z } from 'zod';

/**
 * The reminder chain's shared vocabulary: job names, occurrence keys, the job payload the clock receives,
 * and the policy that turns a task into the reminders it should have right now.
 */

export const MINUTE_MS = 60_000;

/** Every reminder is delivered on each of these channels, each with its own receipt. */
export const REMINDER_CHANNELS = ['in_app', 'email'] as const;
export type ReminderChannel = (typeof REMINDER_CHANNELS)[number];

/** One Dapr job per task and offset, so rescheduling overwrites and removal needs no lookup. */
export const reminderJobName = (taskId: string, offsetMinutes: number) =>
  `reminder-${taskId}-${offsetMinutes}`;
/** One snooze per task: snoozing again moves it rather than adding another. */
export const snoozeJobName = (taskId: string) => `snooze-${taskId}`;

/**
 * An occurrence key names one reminder of one occurrence: `<due ISO>/<offset>`, and for a snoozed one
 * `<due ISO>/<offset>/snooze/<until ISO>`. A moved due date is a new occurrence. The key is stored (the
 * receipts' and notifications' unique keys), so it stays text; this module alone writes and reads it.
 */
export interface OccurrenceKeyParts {
  dueAt: Date;
  offsetMinutes: number;
  /** Set for a snoozed reminder: when it comes back. */
  snoozedUntil?: Date;
}

export const occurrenceKey = (dueAt: Date | string, offsetMinutes: number) =>
  `${new Date(dueAt).toISOString()}/${offsetMinutes}`;

const KEY = /^([^/]+)\/(\d+)(?:\/snooze\/([^/]+))?$/;

/** The parts of a key this module made, or null for any other text. */
export function parseOccurrenceKey(key: string): OccurrenceKeyParts | null {
  const match = KEY.exec(key);
  if (!match) return null;
  const dueAt = new Date(match[1]!);
  const snoozedUntil = match[3] === undefined ? undefined : new Date(match[3]);
  if (Number.isNaN(dueAt.getTime()) || (snoozedUntil && Number.isNaN(snoozedUntil.getTime()))) return null;
  return { dueAt, offsetMinutes: Number(match[2]), ...(snoozedUntil && { snoozedUntil }) };
}

/**
 * The key of a snooze of the reminder `key` (itself plain or snoozed) until `until`: a snooze of a snooze
 * is a snooze of the same reminder. Also its offset, which the snooze job carries.
 */
export function snoozeOf(key: string, until: Date): { occurrenceKey: string; offsetMinutes: number } {
  const parts = parseOccurrenceKey(key);
  const base = parts ? occurrenceKey(parts.dueAt, parts.offsetMinutes) : key;
  return { occurrenceKey: `${base}/snooze/${until.toISOString()}`, offsetMinutes: parts?.offsetMinutes ?? 0 };
}

export const isSnoozeKey = (key: string) => parseOccurrenceKey(key)?.snoozedUntil !== undefined;

/** The offset of a plain (not snoozed) occurrence key, or null for keys this module did not make. */
export function offsetOfKey(key: string): number | null {
  const parts = parseOccurrenceKey(key);
  return parts && !parts.snoozedUntil ? parts.offsetMinutes : null;
}

/** The data a reminder or snooze job carries; the clock checks it against the task before firing. */
export const ReminderJobData = z.strictObject({
  kind: z.enum(['reminder', 'snooze']),
  task_id: z.uuid(),
  user_id: z.uuid(),
  due_at: z.iso.datetime({ offset: true }),
  offset_minutes: z.number().int().min(0),
  /** When the reminder was meant to fire; lateness is measured from here. */
  remind_at: z.iso.datetime({ offset: true }),
  occurrence_key: z.string().min(1).max(200),
});
export type ReminderJobData = z.infer<typeof ReminderJobData>;

export interface PlannedReminder {
  offsetMinutes: number;
  jobName: string;
  occurrenceKey: string;
  dueAt: Date;
  remindAt: Date;
  /** When the job should fire: remindAt, or now when remindAt has passed (a late reminder). */
  fireAt: Date;
}

export interface ReminderPlan {
  /** Reminders that should have a job. */
  schedule: PlannedReminder[];
  /** Reminders past their time whose task is overdue beyond the grace: recorded as skipped, never fired. */
  skipped: PlannedReminder[];
}

export interface RemindableTask {
  id: string;
  status: string;
  due_at: Date | string | null;
  reminder_offsets: number[];
}

/**
 * How long past its due date a task's missed reminders still fire (late). An outage of the broker or a
 * sidecar delays the events that schedule reminders; within this window the user still gets them,
 * marked late in the receipts, so an outage delays a reminder rather than losing it.
 */
export const LATE_REMINDER_GRACE_MS = 60 * MINUTE_MS;

/**
 * What reminders a task should have at `now`. A task that is gone, done or has no due date has none.
 *
 * Policy for a reminder whose time has already passed when it is scheduled (a due date set close to
 * now, or events processed late after an outage): it fires at once — late, and its receipt says how
 * late — unless the task is overdue by more than LATE_REMINDER_GRACE_MS; then it is recorded as
 * skipped, because "due in 15 minutes" about something due yesterday is noise.
 */
export function planReminders(task: RemindableTask | null | undefined, now: Date): ReminderPlan {
  const plan: ReminderPlan = { schedule: [], skipped: [] };
  if (!task || task.status === 'done' || task.due_at === null) return plan;
  const dueAt = new Date(task.due_at);
  for (const offsetMinutes of [...new Set(task.reminder_offsets)].sort((a, b) => a - b)) {
    const remindAt = new Date(dueAt.getTime() - offsetMinutes * MINUTE_MS);
    const reminder: PlannedReminder = {
      offsetMinutes,
      jobName: reminderJobName(task.id, offsetMinutes),
      occurrenceKey: occurrenceKey(dueAt, offsetMinutes),
      dueAt,
      remindAt,
      fireAt: remindAt > now ? remindAt : now,
    };
    if (remindAt > now || now.getTime() < dueAt.getTime() + LATE_REMINDER_GRACE_MS)
      plan.schedule.push(reminder);
    else plan.skipped.push(reminder);
  }
  return plan;
}
