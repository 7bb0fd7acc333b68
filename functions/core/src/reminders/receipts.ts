import { type Expression, type Kysely, type RawBuilder, type Selectable, sql } from 'kysely';
import { z } from 'zod';
import type { Database, ReminderDeliveriesTable } from '../db/types.ts';
import { ReceiptStatus } from '../enums.ts';
import { iso } from '../runtime/time.ts';
import { REMINDER_CHANNELS, type ReminderChannel } from './reminder-plan.ts';

/**
 * Delivery receipts: one row per task, occurrence and channel. They are both what the user sees and the
 * idempotency keys of the reminder chain. This module is the only place that writes them, with one
 * function per transition, each guarded in SQL (`… where status in (…)`) and returning the rows it
 * moved, so an illegal transition changes nothing and the caller sees that it did not happen:
 *
 *   (none) ─┬─▶ scheduled ─▶ fired ─▶ sending ─┬─▶ sent
 *           │     ▲   │        │  ▲       │    └─▶ failed
 *           │     │   ▼        │  └───────┘ released for a retry
 *           └─▶ cancelled ◀────┘ (email not to be sent)
 *   in-app: fired ─▶ sent (the notification insert is its claim)
 *
 * `sending` is held under a lease (`locked_until`), like scheduled_jobs: a sender that crashed mid-send
 * leaves a claim that another delivery may take over once the lease ends.
 */

export const ReceiptOut = z.object({
  id: z.uuid(),
  task_id: z.uuid(),
  occurrence_key: z.string(),
  channel: z.string(),
  status: ReceiptStatus,
  scheduled_for: z.string(),
  fired_at: z.string().nullable(),
  sent_at: z.string().nullable(),
  /** Milliseconds after scheduled_for that the reminder fired (status fired) or was sent (status sent). */
  lateness_ms: z.number().int().nullable(),
  detail: z.string().nullable(),
  updated_at: z.string(),
});
export type ReceiptOut = z.infer<typeof ReceiptOut>;
export const ReceiptList = z.object({ items: z.array(ReceiptOut) });

export type ReceiptRow = Selectable<ReminderDeliveriesTable>;
type Status = z.infer<typeof ReceiptStatus>;

/** Statuses after which an occurrence has gone out and must never be fired again. */
export const FIRED_STATUSES = ['fired', 'sending', 'sent', 'failed'] as const satisfies Status[];

/** How long a claimed email send may stay unfinished before another delivery may take it over. */
export const SENDING_LEASE_MS = 60_000;

/** One occurrence of one task's reminder: what every receipt of it shares. */
export interface Occurrence {
  userId: string;
  taskId: string;
  occurrenceKey: string;
  /** When the reminder was meant to go out; lateness is measured from here. */
  scheduledFor: Date | string;
}

/** Lateness of `at` against the instant a reminder was meant for, never negative. */
export const latenessMs = (meantFor: Date | string, at: Date) =>
  Math.max(0, at.getTime() - new Date(meantFor).getTime());

export function toReceiptJson(r: ReceiptRow): ReceiptOut {
  return {
    id: r.id,
    task_id: r.task_id,
    occurrence_key: r.occurrence_key,
    channel: r.channel,
    status: r.status,
    scheduled_for: iso(r.scheduled_for),
    fired_at: iso(r.fired_at),
    sent_at: iso(r.sent_at),
    lateness_ms: r.lateness_ms,
    detail: r.detail,
    updated_at: iso(r.updated_at),
  };
}

export async function listReceipts(
  db: Kysely<Database>,
  userId: string,
  taskId: string,
): Promise<ReceiptOut[]> {
  const rows = await db
    .selectFrom('reminder_deliveries')
    .selectAll()
    .where('user_id', '=', userId)
    .where('task_id', '=', taskId)
    .orderBy('scheduled_for', 'desc')
    .orderBy('channel')
    .execute();
  return rows.map(toReceiptJson);
}

/**
 * The statuses of a task's receipts, for reconciling its reminders against what already went out —
 * whoever they were for: an occurrence that went out to a former assignee is not sent again to the new
 * one (receipts are one per task, occurrence and channel). A JSON array as SQL, so schedule-reminder
 * reads it in the statement that reads the task; parse it with ReceiptStatuses.
 */
export const receiptStatusesOf = (taskId: string | Expression<string>): RawBuilder<unknown> =>
  sql`coalesce((select json_agg(json_build_object('occurrence_key', r.occurrence_key, 'status', r.status))
    from reminder_deliveries r where r.task_id = ${taskId}), '[]'::json)`;
export const ReceiptStatuses = z.array(z.object({ occurrence_key: z.string(), status: ReceiptStatus }));

/** The columns a new receipt row starts with. */
const newRow = (o: Occurrence, channel: ReminderChannel, status: Status, detail: string | null = null) => ({
  user_id: o.userId,
  task_id: o.taskId,
  occurrence_key: o.occurrenceKey,
  channel,
  status,
  scheduled_for: new Date(o.scheduledFor),
  detail,
});

/** none | scheduled | cancelled → scheduled, on every channel. A receipt that went out is never re-armed. */
export function markScheduled(
  db: Kysely<Database>,
  o: Occurrence & { detail?: string | null },
): Promise<ReceiptRow[]> {
  return db
    .insertInto('reminder_deliveries')
    .values(REMINDER_CHANNELS.map((channel) => newRow(o, channel, 'scheduled', o.detail)))
    .onConflict((oc) =>
      oc
        .columns(['task_id', 'occurrence_key', 'channel'])
        .doUpdateSet({
          status: 'scheduled',
          // The recipient may have changed since (an assignment): the receipt is now theirs.
          user_id: o.userId,
          scheduled_for: new Date(o.scheduledFor),
          detail: o.detail ?? null,
          updated_at: sql`now()`,
        })
        .where('reminder_deliveries.status', 'in', ['scheduled', 'cancelled']),
    )
    .returningAll()
    .execute();
}

/** none | scheduled → cancelled, on every channel: an occurrence that will never fire (skipped or superseded). */
export function markCancelled(
  db: Kysely<Database>,
  o: Occurrence & { detail: string },
): Promise<ReceiptRow[]> {
  return db
    .insertInto('reminder_deliveries')
    .values(REMINDER_CHANNELS.map((channel) => newRow(o, channel, 'cancelled', o.detail)))
    .onConflict((oc) =>
      oc
        .columns(['task_id', 'occurrence_key', 'channel'])
        .doUpdateSet({ status: 'cancelled', detail: o.detail, updated_at: sql`now()` })
        .where('reminder_deliveries.status', '=', 'scheduled'),
    )
    .returningAll()
    .execute();
}

/** scheduled → cancelled, for the existing receipts of the given occurrences of one task. */
export async function cancelScheduled(
  db: Kysely<Database>,
  taskId: string,
  occurrenceKeys: string[],
  detail: string,
): Promise<ReceiptRow[]> {
  if (!occurrenceKeys.length) return [];
  return db
    .updateTable('reminder_deliveries')
    .set({ status: 'cancelled', detail, updated_at: sql`now()` })
    .where('task_id', '=', taskId)
    .where('occurrence_key', 'in', occurrenceKeys)
    .where('status', '=', 'scheduled')
    .returningAll()
    .execute();
}

/**
 * none | scheduled | cancelled → fired, on every channel, unless any receipt of the occurrence has gone
 * out (FIRED_STATUSES): then nothing changes and the result is empty. One statement, so its guard reads
 * the database as of the statement: the caller holds the task's row lock (taken by an earlier statement)
 * so a concurrent firing of the same occurrence either committed before this reads or waits for it.
 */
export function markFired(db: Kysely<Database>, o: Occurrence, firedAt: Date): Promise<ReceiptRow[]> {
  const lateness = latenessMs(o.scheduledFor, firedAt);
  return db
    .insertInto('reminder_deliveries')
    .columns([
      'user_id',
      'task_id',
      'occurrence_key',
      'channel',
      'status',
      'scheduled_for',
      'fired_at',
      'lateness_ms',
    ])
    .expression((eb) =>
      eb
        .selectFrom(
          sql<{ channel: string }>`unnest(${sql.val([...REMINDER_CHANNELS])}::text[])`.as('channel'),
        )
        .select([
          sql.val(o.userId).as('user_id'),
          sql.val(o.taskId).as('task_id'),
          sql.val(o.occurrenceKey).as('occurrence_key'),
          sql.ref<string>('channel.channel').as('channel'),
          sql.lit('fired').as('status'),
          sql.val(new Date(o.scheduledFor)).as('scheduled_for'),
          sql.val(firedAt).as('fired_at'),
          sql.val(lateness).as('lateness_ms'),
        ])
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('reminder_deliveries as went')
                .select(sql.lit(1).as('one'))
                .where('went.task_id', '=', o.taskId)
                .where('went.occurrence_key', '=', o.occurrenceKey)
                .where('went.status', 'in', FIRED_STATUSES),
            ),
          ),
        ),
    )
    .onConflict((oc) =>
      oc
        .columns(['task_id', 'occurrence_key', 'channel'])
        .doUpdateSet({
          status: 'fired',
          user_id: o.userId,
          fired_at: firedAt,
          lateness_ms: lateness,
          detail: null,
          updated_at: sql`now()`,
        })
        .where('reminder_deliveries.status', 'in', ['scheduled', 'cancelled']),
    )
    .returningAll()
    .execute();
}

/** The receipt of one channel of one occurrence. */
function oneReceipt(db: Kysely<Database>, o: Occurrence, channel: ReminderChannel) {
  return db
    .updateTable('reminder_deliveries')
    .where('task_id', '=', o.taskId)
    .where('occurrence_key', '=', o.occurrenceKey)
    .where('channel', '=', channel);
}

/**
 * In-app: none | scheduled | fired → sent. The notification row's insert is the claim (one per
 * occurrence), so there is no `sending` step; the caller records this in the same transaction.
 */
export function markDelivered(
  db: Kysely<Database>,
  o: Occurrence,
  now = new Date(),
): Promise<ReceiptRow | undefined> {
  const lateness = latenessMs(o.scheduledFor, now);
  return db
    .insertInto('reminder_deliveries')
    .values({ ...newRow(o, 'in_app', 'sent'), fired_at: now, sent_at: now, lateness_ms: lateness })
    .onConflict((oc) =>
      oc
        .columns(['task_id', 'occurrence_key', 'channel'])
        .doUpdateSet({
          status: 'sent',
          sent_at: now,
          fired_at: sql`coalesce(reminder_deliveries.fired_at, ${now})`,
          lateness_ms: lateness,
          detail: null,
          updated_at: sql`now()`,
        })
        .where('reminder_deliveries.status', 'in', ['scheduled', 'fired']),
    )
    .returningAll()
    .executeTakeFirst();
}

/**
 * Email: none | scheduled | fired → sending, or sending → sending when the holder's lease has ended.
 * Returns the claimed row, or undefined when the receipt is elsewhere (sending under a live lease, or
 * finished: isSendingHeld() tells which).
 */
export function claimSending(
  db: Kysely<Database>,
  o: Occurrence,
  leaseMs = SENDING_LEASE_MS,
): Promise<ReceiptRow | undefined> {
  const lockedUntil = sql<Date>`now() + ${leaseMs}::float8 * interval '1 millisecond'`;
  return db
    .insertInto('reminder_deliveries')
    .values({ ...newRow(o, 'email', 'sending'), fired_at: sql`now()`, locked_until: lockedUntil })
    .onConflict((oc) =>
      oc
        .columns(['task_id', 'occurrence_key', 'channel'])
        .doUpdateSet({
          status: 'sending',
          locked_until: lockedUntil,
          detail: null,
          fired_at: sql`coalesce(reminder_deliveries.fired_at, now())`,
          updated_at: sql`now()`,
        })
        .where((eb) =>
          eb.or([
            eb('reminder_deliveries.status', 'in', ['scheduled', 'fired']),
            eb.and([
              eb('reminder_deliveries.status', '=', 'sending'),
              eb('reminder_deliveries.locked_until', '<', sql<Date>`now()`),
            ]),
          ]),
        ),
    )
    .returningAll()
    .executeTakeFirst();
}

/**
 * Whether the email receipt is `sending` (another delivery holds the send). Read after a claim that
 * failed, so a lease that ended just now still counts: that copy retries, and then takes the claim over.
 */
export async function isSendingHeld(db: Kysely<Database>, o: Occurrence): Promise<boolean> {
  const row = await db
    .selectFrom('reminder_deliveries')
    .select('status')
    .where('task_id', '=', o.taskId)
    .where('occurrence_key', '=', o.occurrenceKey)
    .where('channel', '=', 'email')
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return row !== undefined;
}

/** Email: sending → `status`, ending the lease; a receipt not `sending` is left alone (undefined). */
function leaveSending(
  db: Kysely<Database>,
  o: Occurrence,
  change: { status: 'sent' | 'failed' | 'fired'; detail: string; sent_at?: Date; lateness_ms?: number },
): Promise<ReceiptRow | undefined> {
  return oneReceipt(db, o, 'email')
    .set({ ...change, locked_until: null, updated_at: sql`now()` })
    .where('status', '=', 'sending')
    .returningAll()
    .executeTakeFirst();
}

/** Email: sending → sent (the provider accepted it; `detail` carries its id). */
export const markSent = (db: Kysely<Database>, o: Occurrence, detail: string, now = new Date()) =>
  leaveSending(db, o, { status: 'sent', detail, sent_at: now, lateness_ms: latenessMs(o.scheduledFor, now) });

/** Email: sending → failed (will not get better by retrying). */
export const markFailed = (db: Kysely<Database>, o: Occurrence, detail: string) =>
  leaveSending(db, o, { status: 'failed', detail });

/** Email: sending → fired, releasing the claim so a retried delivery can take it at once. */
export const releaseSending = (db: Kysely<Database>, o: Occurrence, detail: string) =>
  leaveSending(db, o, { status: 'fired', detail });

/**
 * none | scheduled | fired → cancelled, when nothing is to be sent: email off, address unverified (email),
 * or the recipient is no longer a member of the task's project (sharing: both channels).
 */
export function markNotSent(
  db: Kysely<Database>,
  o: Occurrence,
  detail: string,
  channel: 'email' | 'in_app' = 'email',
): Promise<ReceiptRow | undefined> {
  return db
    .insertInto('reminder_deliveries')
    .values(newRow(o, channel, 'cancelled', detail))
    .onConflict((oc) =>
      oc
        .columns(['task_id', 'occurrence_key', 'channel'])
        .doUpdateSet({ status: 'cancelled', detail, updated_at: sql`now()` })
        .where('reminder_deliveries.status', 'in', ['scheduled', 'fired']),
    )
    .returningAll()
    .executeTakeFirst();
}
