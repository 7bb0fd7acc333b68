import { type Kysely, sql } from 'kysely';

/**
 * `scheduled_jobs.app_id` was always 'clock': in embedded mode, as with Dapr, every job belongs to the
 * clock, and nothing ever read the column (issue 12's dead code).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table scheduled_jobs drop column app_id`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`alter table scheduled_jobs add column app_id text not null default 'clock'`.execute(db);
}
