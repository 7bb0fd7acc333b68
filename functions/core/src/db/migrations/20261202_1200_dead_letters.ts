import { type Kysely, sql } from 'kysely';

/**
 * Dead letters from the outbox, and the indexes retention deletes by.
 *
 * `dead_letters` (0002) held only what a consumer of the embedded bus DROPped. It now also takes outbox
 * rows the relay gave up on (`source = 'outbox'`): `consumer` is null for those, `partition_key` and
 * `attempts` say which task and how many publishes failed, `reason` is the last error, `created_at` is
 * when the event was written and `dead_at` when it was given up on (retention counts from `dead_at`).
 *
 * Retention deletes in bounded batches, oldest first, by one timestamp per table: each needs an index
 * on it, or every batch would scan the whole table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    alter table dead_letters
      add column source text not null default 'consumer',
      add column partition_key text,
      add column attempts integer,
      add column dead_at timestamptz not null default now(),
      alter column consumer drop not null,
      add constraint dead_letters_source check (source in ('consumer', 'outbox')),
      add constraint dead_letters_consumer_by_source check ((source = 'consumer') = (consumer is not null))`.execute(
    db,
  );
  await sql`update dead_letters set dead_at = created_at`.execute(db);
  await sql`create index dead_letters_dead_at on dead_letters (dead_at)`.execute(db);
  await sql`create index dead_letters_outbox on dead_letters (id) where source = 'outbox'`.execute(db);

  await sql`create index outbox_sent_at on outbox (sent_at) where sent_at is not null`.execute(db);
  await sql`create index processed_events_processed_at on processed_events (processed_at)`.execute(db);
  await sql`create index audit_log_recorded_at on audit_log (recorded_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists audit_log_recorded_at`.execute(db);
  await sql`drop index if exists processed_events_processed_at`.execute(db);
  await sql`drop index if exists outbox_sent_at`.execute(db);
  await sql`drop index if exists dead_letters_outbox`.execute(db);
  await sql`drop index if exists dead_letters_dead_at`.execute(db);
  // The 0002 shape has no place for an outbox dead letter (no consumer): those rows go.
  await sql`delete from dead_letters where source = 'outbox'`.execute(db);
  await sql`
    alter table dead_letters
      drop constraint dead_letters_consumer_by_source,
      drop constraint dead_letters_source,
      alter column consumer set not null,
      drop column dead_at,
      drop column attempts,
      drop column partition_key,
      drop column source`.execute(db);
}
