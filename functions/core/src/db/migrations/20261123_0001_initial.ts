import { type Kysely, sql } from 'kysely';

/** The whole product's schema: accounts, tasks and tags, the event outbox, consumers' bookkeeping. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`create extension if not exists pg_trgm`.execute(db);
  await sql`create extension if not exists btree_gin`.execute(db);

  await sql`
    create table users (
      id uuid primary key default gen_random_uuid(),
      email text not null,
      password_hash text not null,
      time_zone text not null default 'UTC',
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index users_email_key on users (lower(email))`.execute(db);

  await sql`
    create table tasks (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references users(id) on delete cascade,
      title text not null check (length(title) between 1 and 500),
      description text not null default '',
      status text not null default 'todo' check (status in ('todo', 'in_progress', 'done')),
      priority text not null default 'medium' check (priority in ('low', 'medium', 'high')),
      priority_rank smallint generated always as (
        case priority when 'high' then 3 when 'medium' then 2 else 1 end) stored,
      due_at timestamptz,
      time_zone text not null default 'UTC',
      recurrence_rule text,
      recurrence_mode text check (recurrence_mode in ('schedule', 'completion')),
      series_id uuid,
      reminder_offsets integer[] not null default '{}',
      tag_names text not null default '',
      search_text text generated always as (lower(title || ' ' || description || ' ' || tag_names)) stored,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      completed_at timestamptz,
      check (recurrence_rule is null or due_at is not null)
    )`.execute(db);
  // One index per sort key, each led by user_id and ended by id, so every sort + cursor page is an index range.
  await sql`create index tasks_user_created on tasks (user_id, created_at, id)`.execute(db);
  await sql`create index tasks_user_priority on tasks (user_id, priority_rank, id)`.execute(db);
  await sql`create index tasks_user_due_asc on tasks (user_id, coalesce(due_at, 'infinity'::timestamptz), id)`.execute(
    db,
  );
  await sql`create index tasks_user_due_desc on tasks (user_id, coalesce(due_at, '-infinity'::timestamptz), id)`.execute(
    db,
  );
  await sql`create index tasks_user_title on tasks (user_id, lower(title), id)`.execute(db);
  await sql`create index tasks_user_status_priority on tasks (user_id, status, priority)`.execute(db);
  // Search: a trigram GIN index scoped by user (btree_gin lets user_id sit in the same GIN index).
  await sql`create index tasks_user_search on tasks using gin (user_id, search_text gin_trgm_ops)`.execute(
    db,
  );
  await sql`create index tasks_series on tasks (series_id, due_at) where series_id is not null`.execute(db);

  await sql`
    create table tags (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references users(id) on delete cascade,
      name text not null check (length(name) between 1 and 64),
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create unique index tags_user_name_key on tags (user_id, lower(name))`.execute(db);

  await sql`
    create table task_tags (
      task_id uuid not null references tasks(id) on delete cascade,
      tag_id uuid not null references tags(id) on delete cascade,
      primary key (task_id, tag_id)
    )`.execute(db);
  await sql`create index task_tags_tag on task_tags (tag_id, task_id)`.execute(db);

  await sql`
    create table outbox (
      id bigserial primary key,
      event_id uuid not null unique,
      topic text not null,
      partition_key text not null,
      event_type text not null,
      cloud_event jsonb not null,
      created_at timestamptz not null default now(),
      sent_at timestamptz,
      attempts integer not null default 0,
      next_attempt_at timestamptz not null default now(),
      last_error text
    )`.execute(db);
  await sql`create index outbox_pending on outbox (next_attempt_at, id) where sent_at is null`.execute(db);

  await sql`
    create table processed_events (
      consumer text not null,
      event_id text not null,
      processed_at timestamptz not null default now(),
      primary key (consumer, event_id)
    )`.execute(db);

  await sql`
    create table notifications (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references users(id) on delete cascade,
      task_id uuid not null,
      occurrence_key text not null,
      channel text not null check (channel in ('in_app', 'email', 'browser')),
      title text not null,
      body text not null,
      created_at timestamptz not null default now(),
      read_at timestamptz,
      snoozed_until timestamptz,
      unique (task_id, occurrence_key, channel)
    )`.execute(db);
  await sql`create index notifications_user on notifications (user_id, created_at desc)`.execute(db);

  await sql`
    create table reminder_deliveries (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references users(id) on delete cascade,
      task_id uuid not null,
      occurrence_key text not null,
      channel text not null,
      status text not null check (status in ('scheduled', 'fired', 'sent', 'failed', 'cancelled')),
      scheduled_for timestamptz not null,
      fired_at timestamptz,
      sent_at timestamptz,
      lateness_ms integer,
      detail text,
      updated_at timestamptz not null default now(),
      unique (task_id, occurrence_key, channel)
    )`.execute(db);
  await sql`create index reminder_deliveries_user_task on reminder_deliveries (user_id, task_id)`.execute(db);

  await sql`
    create table audit_log (
      id bigserial primary key,
      event_id text not null unique,
      user_id uuid,
      actor text not null,
      event_type text not null,
      entity_id text,
      occurred_at timestamptz not null,
      before jsonb,
      after jsonb,
      recorded_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index audit_log_user on audit_log (user_id, occurred_at desc)`.execute(db);

  await sql`
    create table scheduled_jobs (
      name text primary key,
      app_id text not null,
      due_at timestamptz not null,
      data jsonb not null,
      attempts integer not null default 0,
      locked_until timestamptz,
      created_at timestamptz not null default now()
    )`.execute(db);
  await sql`create index scheduled_jobs_due on scheduled_jobs (due_at)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'scheduled_jobs',
    'audit_log',
    'reminder_deliveries',
    'notifications',
    'processed_events',
    'outbox',
    'task_tags',
    'tags',
    'tasks',
    'users',
  ]) {
    await sql`drop table if exists ${sql.table(table)}`.execute(db);
  }
}
