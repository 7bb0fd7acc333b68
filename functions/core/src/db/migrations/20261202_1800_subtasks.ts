import { type Kysely, sql } from 'kysely';

/**
 * Subtasks (issue 13): a task may have child tasks, ONE level deep — a subtask cannot have subtasks.
 * Todoist nests further, but one level keeps the list, the parent's done count, the completion cascade,
 * the copy a recurring parent's next occurrence takes along, and the assistant's vocabulary simple, and
 * it is how people use a checklist under a task. Deeper nesting would be a later change behind the same
 * `parent_id`.
 *
 * What the database enforces, so that no writer (the API, the import, a script) can break it:
 * - `parent_id` references a task, and deleting a parent deletes its subtasks (the foreign key's cascade;
 *   the app enqueues a TaskDeleted for each first, so their reminders are cancelled);
 * - a subtask does not repeat (a CHECK: its own row is enough);
 * - a subtask's parent belongs to the same user, is in the same project and is not itself a subtask, and
 *   a task with subtasks does not become one (a trigger: these read other rows, which a CHECK cannot).
 *
 * The trigger, not a composite foreign key to a unique (id, user_id, project_id): that would add a unique
 * index every task insert pays for, and could not express "not itself a subtask" in both directions
 * anyway. The trigger costs nothing for a task without a parent (its WHEN clause) and runs for a
 * subtask's insert, a change of parent, and a move to another project. It is a constraint trigger
 * DEFERRED to commit, so a parent and its subtasks can move to another project in separate statements of
 * one transaction (the app moves the parent, then them); it reads the rows as they are at commit. It takes
 * the parent FOR SHARE, which conflicts with the update that would make the parent a subtask or move it:
 * of two such transactions the later one waits, then sees the other's change (read committed) and fails.
 * The app checks the same rules first and answers a 400 naming the field; the trigger is the backstop.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tasks add column parent_id uuid references tasks(id) on delete cascade`.execute(db);
  // Only subtasks are in it (partial), so a task without a parent costs no index entry. It serves a
  // parent's subtasks in order (?parent=), the done counts of a listing, and the delete cascade.
  await sql`create index tasks_parent_created on tasks (parent_id, created_at, id)
    where parent_id is not null`.execute(db);
  // NOT VALID then VALIDATE: the scan that checks existing rows does not hold off writes.
  await sql`alter table tasks add constraint tasks_subtask_not_recurring
    check (parent_id is null or recurrence_rule is null) not valid`.execute(db);
  await sql`alter table tasks validate constraint tasks_subtask_not_recurring`.execute(db);

  await sql`
    create function check_subtask() returns trigger language plpgsql as $$
    declare
      child record;
      parent record;
    begin
      -- Deferred to commit: the row as it is now (it may have changed, or gone with its parent, since).
      select id, user_id, project_id, parent_id into child from tasks where id = new.id;
      if not found then
        return null;
      end if;
      if child.parent_id is not null then
        select user_id, project_id, parent_id into parent from tasks where id = child.parent_id for share;
        if found and parent.parent_id is not null then
          raise exception 'task % cannot be a subtask of task %, which is itself a subtask (one level)',
            child.id, child.parent_id using errcode = 'check_violation', constraint = 'tasks_subtask_depth';
        end if;
        if found and (parent.user_id <> child.user_id or parent.project_id <> child.project_id) then
          raise exception 'subtask % must have the user and project of its parent %', child.id, child.parent_id
            using errcode = 'check_violation', constraint = 'tasks_subtask_same_project';
        end if;
        if exists (select 1 from tasks where parent_id = child.id) then
          raise exception 'task % has subtasks, so it cannot be a subtask (one level)', child.id
            using errcode = 'check_violation', constraint = 'tasks_subtask_depth';
        end if;
      elsif exists (select 1 from tasks c where c.parent_id = child.id
                    and (c.project_id <> child.project_id or c.user_id <> child.user_id)) then
        raise exception 'the subtasks of task % must be in its project', child.id
          using errcode = 'check_violation', constraint = 'tasks_subtask_same_project';
      end if;
      return null;
    end $$`.execute(db);
  await sql`create constraint trigger tasks_subtask_insert after insert on tasks
    deferrable initially deferred for each row when (new.parent_id is not null)
    execute function check_subtask()`.execute(db);
  await sql`create constraint trigger tasks_subtask_update after update of parent_id, project_id, user_id on tasks
    deferrable initially deferred for each row
    when (new.parent_id is not null or new.project_id is distinct from old.project_id
      or new.user_id is distinct from old.user_id)
    execute function check_subtask()`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop trigger if exists tasks_subtask_update on tasks`.execute(db);
  await sql`drop trigger if exists tasks_subtask_insert on tasks`.execute(db);
  await sql`drop function if exists check_subtask()`.execute(db);
  // Dropping the column drops its index, the CHECK and the foreign key with it.
  await sql`alter table tasks drop column if exists parent_id`.execute(db);
}
