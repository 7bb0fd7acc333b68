import type { Kysely } from 'kysely';
import type { Database } from './db/types.ts';

/** One audit entry: who did what to which entity, and the entity before and after. */
export interface AuditEntry {
  event_id: string;
  user_id: string | null;
  actor: string;
  event_type: string;
  entity_id: string | null;
  occurred_at: string | Date;
  before: unknown;
  after: unknown;
}

const rowOf = (entry: AuditEntry) => ({
  ...entry,
  before: JSON.stringify(entry.before),
  after: JSON.stringify(entry.after),
});

/**
 * Records one entry per event. Idempotent by event id (a unique column): a redelivered or concurrently
 * delivered event inserts nothing the second time. Returns whether this call recorded it.
 */
export async function recordAuditEntry(db: Kysely<Database>, entry: AuditEntry): Promise<boolean> {
  const row = await db
    .insertInto('audit_log')
    .values(rowOf(entry))
    .onConflict((oc) => oc.column('event_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

interface Waiting {
  entry: AuditEntry;
  resolve: (recorded: boolean) => void;
  reject: (e: unknown) => void;
}

/**
 * recordAuditEntry for many concurrent deliveries: the entries asked for within one turn of the event loop
 * go in as one multi-row insert (one round trip, one commit), each caller told whether its own was
 * recorded. A batch that fails is retried entry by entry, so one bad entry fails only its own delivery.
 */
export function batchedAuditRecorder(db: Kysely<Database>): (entry: AuditEntry) => Promise<boolean> {
  let waiting: Waiting[] = [];

  async function flush(batch: Waiting[]) {
    try {
      const rows = await db
        .insertInto('audit_log')
        // In event id order, so two batches sharing ids (a redelivery beside the first delivery) take
        // their unique-index locks in the same order and cannot deadlock.
        .values(batch.map((w) => rowOf(w.entry)).sort((a, b) => (a.event_id < b.event_id ? -1 : 1)))
        .onConflict((oc) => oc.column('event_id').doNothing())
        .returning('event_id')
        .execute();
      // An event id twice in one batch is inserted once: the first caller recorded it.
      const inserted = new Set(rows.map((r) => r.event_id));
      for (const w of batch) w.resolve(inserted.delete(w.entry.event_id));
    } catch (e) {
      if (batch.length === 1) return batch[0]!.reject(e);
      for (const w of batch) recordAuditEntry(db, w.entry).then(w.resolve, w.reject);
    }
  }

  return (entry) =>
    new Promise<boolean>((resolve, reject) => {
      if (!waiting.length)
        setImmediate(() => {
          const batch = waiting;
          waiting = [];
          void flush(batch);
        });
      waiting.push({ entry, resolve, reject });
    });
}
