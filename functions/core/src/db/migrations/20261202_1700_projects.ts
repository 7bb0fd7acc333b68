import { type Kysely, sql } from 'kysely';

/**
 * Projects (issue 13): every task belongs to exactly one of its owner's projects, and every user has one
 * Inbox (position 0, never deleted, archived or renamed — functions/core/src/projects/).
 *
 * The Inbox and a task's default project are kept by the database, not only by the app: a trigger on
 * `users` creates the Inbox in the statement that creates the account, and a trigger on `tasks` puts a
 * task inserted without `project_id` into its owner's Inbox. Both matter during an upgrade — the
 * migration Job runs before the new pods roll out, and the old ones keep creating accounts and tasks
 * that know nothing of projects — and they keep every other writer (scripts, the bench's seeding)
 * within the invariants. The app names the project itself; the tasks trigger's WHEN clause makes it
 * free then.
 *
 * Each trigger is created before its backfill: creating it locks its table against writes, so no row
 * can slip in between the backfill and the trigger.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table projects (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references users(id) on delete cascade,
      name text not null check (length(name) between 1 and 120),
      color text not null default 'grey' check (color in (
        'red', 'orange', 'yellow', 'green', 'teal', 'sky_blue', 'blue', 'violet', 'magenta', 'grey')),
      position integer not null,
      is_inbox boolean not null default false,
      archived_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      -- The Inbox is first and only it is: the others are 1..n-1, a dense order (project-crud.ts).
      check ((position = 0) = is_inbox),
      check (not (is_inbox and archived_at is not null)),
      -- Deferred: a reorder shifts a run of positions in one statement, unique again at commit.
      constraint projects_user_position_key unique (user_id, position) deferrable initially deferred
    )`.execute(db);
  await sql`create unique index projects_one_inbox on projects (user_id) where is_inbox`.execute(db);

  await sql`
    create function create_inbox() returns trigger language plpgsql as $$
    begin
      insert into projects (user_id, name, position, is_inbox) values (new.id, 'Inbox', 0, true);
      return null;
    end $$`.execute(db);
  await sql`create trigger users_create_inbox after insert on users
    for each row execute function create_inbox()`.execute(db);
  await sql`insert into projects (user_id, name, position, is_inbox)
    select id, 'Inbox', 0, true from users`.execute(db);

  await sql`alter table tasks add column project_id uuid references projects(id) on delete cascade`.execute(
    db,
  );
  await sql`
    create function task_into_inbox() returns trigger language plpgsql as $$
    begin
      select id into new.project_id from projects where user_id = new.user_id and is_inbox;
      return new;
    end $$`.execute(db);
  await sql`create trigger tasks_into_inbox before insert on tasks
    for each row when (new.project_id is null) execute function task_into_inbox()`.execute(db);
  await sql`update tasks t set project_id = p.id from projects p where p.user_id = t.user_id and p.is_inbox`.execute(
    db,
  );
  await sql`alter table tasks alter column project_id set not null`.execute(db);
  // Mirrors tasks_user_created: a project's tasks newest first, a cursor page an index range; it also
  // serves the open counts and the cascade of a project's delete.
  await sql`create index tasks_project_created on tasks (project_id, created_at, id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists tasks_into_inbox on tasks`.execute(db);
  await sql`drop function if exists task_into_inbox()`.execute(db);
  await sql`drop index if exists tasks_project_created`.execute(db);
  await sql`alter table tasks drop column if exists project_id`.execute(db);
  await sql`drop trigger if exists users_create_inbox on users`.execute(db);
  await sql`drop function if exists create_inbox()`.execute(db);
  await sql`drop table if exists projects`.execute(db);
}
