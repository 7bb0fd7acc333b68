import { type Kysely, sql } from 'kysely';

/**
 * Recurring series bookkeeping on the tasks that make up a series, plus the record of ended series:
 * - `occurrence_number`: 1 for the first occurrence, +1 for each next one, so COUNT is counted from the
 *   series start whatever happens to earlier rows;
 * - `previous_occurrence_id`: the occurrence this one follows. Unique: the natural key that lets only
 *   ONE next occurrence exist per occurrence, however many completion events (duplicates, concurrent
 *   deliveries, complete → reopen → complete) race to create it;
 * - `due_local`: the wall-clock due the series meant (02:30 even when a DST gap made it 03:30);
 * - `skipped_at`: a skipped occurrence is closed like a completed one and marked here for history.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tasks
    add column occurrence_number integer not null default 1 check (occurrence_number >= 1),
    add column previous_occurrence_id uuid,
    add column due_local text,
    add column skipped_at timestamptz`.execute(db);
  await sql`create unique index tasks_next_occurrence_key on tasks (previous_occurrence_id)
    where previous_occurrence_id is not null`.execute(db);
  await sql`
    create table recurrence_series_ends (
      series_id uuid primary key,
      user_id uuid not null references users(id) on delete cascade,
      ended_at timestamptz not null default now()
    )`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists recurrence_series_ends`.execute(db);
  await sql`drop index if exists tasks_next_occurrence_key`.execute(db);
  await sql`alter table tasks
    drop column if exists skipped_at,
    drop column if exists due_local,
    drop column if exists previous_occurrence_id,
    drop column if exists occurrence_number`.execute(db);
}
