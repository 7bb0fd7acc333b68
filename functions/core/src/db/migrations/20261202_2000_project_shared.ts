import { type Kysely, sql } from 'kysely';

/**
 * `projects.shared`: whether the project has ever had a member besides its creator — then it may hold
 * tasks created by others (they stay when their creator leaves). listTasks reads the caller's own tasks
 * by the per-user indexes and adds other people's tasks only from shared projects (list-tasks.ts): a
 * plain "project in the caller's memberships" made the planner scan the whole table for a search (8 ms →
 * 245 ms in the bench). Never reset, so no task of a former member is ever hidden; kept by a trigger on
 * project_members, so every path that adds a member sets it.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table projects add column shared boolean not null default false`.execute(db);
  await sql`
    create function mark_project_shared() returns trigger language plpgsql as $$
    begin
      update projects set shared = true
        where id = new.project_id and user_id <> new.user_id and not shared;
      return null;
    end $$`.execute(db);
  await sql`create trigger project_members_mark_shared after insert on project_members
    for each row execute function mark_project_shared()`.execute(db);
  await sql`update projects p set shared = true
    where exists (select 1 from project_members pm where pm.project_id = p.id and pm.user_id <> p.user_id)
       or exists (select 1 from tasks t where t.project_id = p.id and t.user_id <> p.user_id)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists project_members_mark_shared on project_members`.execute(db);
  await sql`drop function if exists mark_project_shared()`.execute(db);
  await sql`alter table projects drop column if exists shared`.execute(db);
}
