import { type Kysely, sql, type Transaction } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/types.ts';
import { ReceiptStatus } from '../enums.ts';
import { REMINDER_CHANNELS } from './reminder-plan.ts';

type Executor = Kysely<Database> | Transaction<Database>;

/**
 * Delivery receipts: one row per task, occurrence and channel, moving scheduled → fired → sent (or
 * failed / cancelled). They are both what the user sees and the idempotency keys of the chain.
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

/** Statuses after which an occurrence must never be fired again. */
export const FIRED_STATUSES = ['fired', 'sent', 'failed'] as const;

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export async function listReceipts(db: Executor, userId: string, taskId: string): Promise<ReceiptOut[]> {
  const rows = await db
    .selectFrom('reminder_deliveries')
    .selectAll()
    .where('user_id', '=', userId)
    .where('task_id', '=', taskId)
    .orderBy('scheduled_for', 'desc')
    .orderBy('channel')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    task_id: r.task_id,
    occurrence_key: r.occurrence_key,
    channel: r.channel,
    status: r.status,
    scheduled_for: r.scheduled_for.toISOString(),
    fired_at: iso(r.fired_at),
    sent_at: iso(r.sent_at),
    lateness_ms: r.lateness_ms,
    detail: r.detail,
    updated_at: r.updated_at.toISOString(),
  }));
}

/**
 * Marks an occurrence scheduled on every channel. Rows already fired, sent or failed are left alone, so
 * a replayed event never re-arms a reminder that has gone out.
 */
export async function markScheduled(
  trx: Executor,
  r: { userId: string; taskId: string; occurrenceKey: string; scheduledFor: Date; detail?: string | null },
): Promise<void> {
  await trx
    .insertInto('reminder_deliveries')
    .values(
      REMINDER_CHANNELS.map((channel) => ({
        user_id: r.userId,
        task_id: r.taskId,
        occurrence_key: r.occurrenceKey,
        channel,
        status: 'scheduled' as const,
        scheduled_for: r.scheduledFor,
        detail: r.detail ?? null,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['task_id', 'occurrence_key', 'channel'])
        .doUpdateSet({
          status: 'scheduled',
          scheduled_for: r.scheduledFor,
          detail: r.detail ?? null,
          updated_at: sql`now()`,
        })
        .where('reminder_deliveries.status', 'in', ['scheduled', 'cancelled']),
    )
    .execute();
}

/** Records an occurrence that will never fire (skipped or superseded), unless it already went out. */
export async function markCancelled(
  trx: Executor,
  r: { userId: string; taskId: string; occurrenceKey: string; scheduledFor: Date; detail: string },
): Promise<void> {
  await trx
    .insertInto('reminder_deliveries')
    .values(
      REMINDER_CHANNELS.map((channel) => ({
        user_id: r.userId,
        task_id: r.taskId,
        occurrence_key: r.occurrenceKey,
        channel,
        status: 'cancelled' as const,
        scheduled_for: r.scheduledFor,
        detail: r.detail,
      })),
    )
    .onConflict((oc) =>
      oc
        .columns(['task_id', 'occurrence_key', 'channel'])
        .doUpdateSet({ status: 'cancelled', detail: r.detail, updated_at: sql`now()` })
        .where('reminder_deliveries.status', '=', 'scheduled'),
    )
    .execute();
}

/** Cancels the still-scheduled receipts of the given occurrences. */
export async function cancelScheduled(
  trx: Executor,
  taskId: string,
  occurrenceKeys: string[],
  detail: string,
): Promise<void> {
  if (!occurrenceKeys.length) return;
  await trx
    .updateTable('reminder_deliveries')
    .set({ status: 'cancelled', detail, updated_at: sql`now()` })
    .where('task_id', '=', taskId)
    .where('occurrence_key', 'in', occurrenceKeys)
    .where('status', '=', 'scheduled')
    .execute();
}

/** Lateness of `at` against the instant a reminder was meant for, never negative. */
export const latenessMs = (meantFor: Date | string, at: Date) =>
  Math.max(0, at.getTime() - new Date(meantFor).getTime());
