import { type Kysely, sql } from 'kysely';

/**
 * Calendar feeds (issue 13): one secret subscription address per user, for Google, Apple and Outlook
 * calendars. The token in the address is stored only as its SHA-256, so the table alone opens no feed;
 * regenerating replaces the hash (the old address stops working at once) and revoking deletes the row.
 * `token_hash` is unique: the public `.ics` route finds the feed by it, with one index lookup whether or
 * not it exists.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table calendar_feeds (
      user_id uuid primary key references users(id) on delete cascade,
      token_hash text not null unique,
      created_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists calendar_feeds`.execute(db);
}
