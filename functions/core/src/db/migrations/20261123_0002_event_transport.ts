import { type Kysely, sql } from 'kysely';

/**
 * The event transport's bookkeeping: an index that lets the outbox relay find "is an earlier event for
 * this partition key still unsent?" cheaply (per-key order), and the embedded runner's dead-letter table
 * (in a cluster, dead letters go to a Kafka topic instead).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create index outbox_unsent_by_key on outbox (partition_key, id) where sent_at is null`.execute(
    db,
  );
  await sql`
    create table dead_letters (
      id bigserial primary key,
      event_id text not null,
      topic text not null,
      consumer text not null,
      cloud_event jsonb not null,
      reason text not null,
      created_at timestamptz not null default now(),
      unique (consumer, event_id)
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists dead_letters`.execute(db);
  await sql`drop index if exists outbox_unsent_by_key`.execute(db);
}
