import { type Kysely, sql } from 'kysely';

/**
 * Sharing (issue 13): a project has members, each with a role — viewer (reads), editor (also writes its
 * tasks), owner (also its members and settings). Every read and write of tasks and projects is scoped by
 * membership from now on (functions/core/src/projects/access.ts); `projects.user_id` stays "created by"
 * (whose order it sits in) and `tasks.user_id` "created by" (whose reminders it rings).
 *
 * The invariant "every project has at least one owner" starts in the database: a trigger on `projects`
 * makes the creator its owner in the statement that creates it, so every path — the projects function, the
 * import, the Inbox trigger on `users`, a script — keeps it; the backfill gives each existing project its
 * creator as owner (the trigger is created first, so no project slips in between). The last owner cannot
 * be demoted or leave (checked by the app under a lock of the project row).
 *
 * Invitations wait for an email address (lower-cased), not an account: the invitee may sign up later, and
 * the answer to an invite is the same whether the address has an account or not.
 *
 * Subtasks: the trigger of 20261202_1800_subtasks required a subtask to have its parent's user; in a
 * shared project an editor adds a subtask under someone else's task, so it now requires the same project
 * only (the user is "created by", per task).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table project_members (
      project_id uuid not null references projects(id) on delete cascade,
      user_id uuid not null references users(id) on delete cascade,
      role text not null check (role in ('owner', 'editor', 'viewer')),
      added_by uuid references users(id) on delete set null,
      created_at timestamptz not null default now(),
      primary key (project_id, user_id)
    )`.execute(db);
  // "Which projects may this user see": every scoped query's subquery is an index range.
  await sql`create index project_members_user on project_members (user_id, project_id)`.execute(db);

  await sql`
    create function project_creator_is_owner() returns trigger language plpgsql as $$
    begin
      insert into project_members (project_id, user_id, role, added_by) values (new.id, new.user_id, 'owner', null);
      return null;
    end $$`.execute(db);
  await sql`create trigger projects_creator_is_owner after insert on projects
    for each row execute function project_creator_is_owner()`.execute(db);
  await sql`insert into project_members (project_id, user_id, role)
    select id, user_id, 'owner' from projects on conflict do nothing`.execute(db);

  await sql`
    create table project_invitations (
      id uuid primary key default gen_random_uuid(),
      project_id uuid not null references projects(id) on delete cascade,
      email text not null check (email = lower(email) and length(email) between 3 and 320),
      role text not null check (role in ('editor', 'viewer')),
      invited_by uuid not null references users(id) on delete cascade,
      created_at timestamptz not null default now(),
      unique (project_id, email)
    )`.execute(db);
  // The caller's pending invitations are looked up by their email.
  await sql`create index project_invitations_email on project_invitations (email)`.execute(db);

  await sql`
    create or replace function check_subtask() returns trigger language plpgsql as $$
    declare
      child record;
      parent record;
    begin
      select id, project_id, parent_id into child from tasks where id = new.id;
      if not found then
        return null;
      end if;
      if child.parent_id is not null then
        select project_id, parent_id into parent from tasks where id = child.parent_id for share;
        if found and parent.parent_id is not null then
          raise exception 'task % cannot be a subtask of task %, which is itself a subtask (one level)',
            child.id, child.parent_id using errcode = 'check_violation', constraint = 'tasks_subtask_depth';
        end if;
        if found and parent.project_id <> child.project_id then
          raise exception 'subtask % must be in the project of its parent %', child.id, child.parent_id
            using errcode = 'check_violation', constraint = 'tasks_subtask_same_project';
        end if;
        if exists (select 1 from tasks where parent_id = child.id) then
          raise exception 'task % has subtasks, so it cannot be a subtask (one level)', child.id
            using errcode = 'check_violation', constraint = 'tasks_subtask_depth';
        end if;
      elsif exists (select 1 from tasks c where c.parent_id = child.id and c.project_id <> child.project_id) then
        raise exception 'the subtasks of task % must be in its project', child.id
          using errcode = 'check_violation', constraint = 'tasks_subtask_same_project';
      end if;
      return null;
    end $$`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists project_invitations`.execute(db);
  await sql`drop trigger if exists projects_creator_is_owner on projects`.execute(db);
  await sql`drop function if exists project_creator_is_owner()`.execute(db);
  await sql`drop table if exists project_members`.execute(db);
  // check_subtask stays in its relaxed form: the stricter one would refuse rows written meanwhile.
}
