import { type Kysely, sql } from 'kysely';

/**
 * Reminder receipts get an explicit send lease (issue 12). The email send lock was the free text
 * `detail = 'sending'` on a `fired` row, timed by `updated_at`; now it is the status `sending` with
 * `locked_until`, as scheduled_jobs has. Rows claimed under the old scheme keep their lease: they become
 * `sending` until 60 s (the old lease) after they were claimed.
 */
const STATUSES_BEFORE = "('scheduled', 'fired', 'sent', 'failed', 'cancelled')";
const STATUSES_AFTER = "('scheduled', 'fired', 'sending', 'sent', 'failed', 'cancelled')";

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table reminder_deliveries add column locked_until timestamptz`.execute(db);
  await sql`alter table reminder_deliveries drop constraint reminder_deliveries_status_check`.execute(db);
  await sql`
    alter table reminder_deliveries add constraint reminder_deliveries_status_check
      check (status in ${sql.raw(STATUSES_AFTER)})`.execute(db);
  await sql`
    update reminder_deliveries
    set status = 'sending', detail = null, locked_until = updated_at + interval '60 seconds'
    where status = 'fired' and detail = 'sending'`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`
    update reminder_deliveries set status = 'fired', detail = 'sending'
    where status = 'sending'`.execute(db);
  await sql`alter table reminder_deliveries drop constraint reminder_deliveries_status_check`.execute(db);
  await sql`
    alter table reminder_deliveries add constraint reminder_deliveries_status_check
      check (status in ${sql.raw(STATUSES_BEFORE)})`.execute(db);
  await sql`alter table reminder_deliveries drop column locked_until`.execute(db);
}
