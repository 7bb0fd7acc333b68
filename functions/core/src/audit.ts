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

/**
 * Records one entry per event. Idempotent by event id (a unique column): a redelivered or concurrently
 * delivered event inserts nothing the second time. Returns whether this call recorded it.
 */
export async function recordAuditEntry(db: Kysely<Database>, entry: AuditEntry): Promise<boolean> {
  const row = await db
    .insertInto('audit_log')
    .values({ ...entry, before: JSON.stringify(entry.before), after: JSON.stringify(entry.after) })
    .onConflict((oc) => oc.column('event_id').doNothing())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}
