import type { Kysely } from 'kysely';
import type { Database } from './db/types.ts';
import { coalesced } from './runtime/coalesce.ts';

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
 * Records one entry per event, the entries of deliveries that arrive together in one multi-row insert (one
 * round trip, one commit; see coalesced()). Idempotent by event id (a unique column): a redelivered or
 * concurrently delivered event inserts nothing the second time. Each caller is told whether its call
 * recorded the entry.
 */
export function auditRecorder(db: Kysely<Database>): (entry: AuditEntry) => Promise<boolean> {
  return coalesced(async (entries: AuditEntry[]) => {
    const rows = await db
      .insertInto('audit_log')
      // In event id order, so two batches sharing ids (a redelivery beside the first delivery) take their
      // unique-index locks in the same order and cannot deadlock.
      .values(entries.map(rowOf).sort((a, b) => (a.event_id < b.event_id ? -1 : 1)))
      .onConflict((oc) => oc.column('event_id').doNothing())
      .returning('event_id')
      .execute();
    // An event id twice in one batch is inserted once: the first caller recorded it.
    const inserted = new Set(rows.map((r) => r.event_id));
    return entries.map((e) => inserted.delete(e.event_id));
  });
}
