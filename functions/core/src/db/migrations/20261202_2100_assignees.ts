import { type Kysely, sql } from 'kysely';

/**
 * Assignees (issue 13): a task in a shared project can be assigned to one of its members, who then gets
 * its reminders (the reminder recipient is `coalesce(assignee_id, user_id)`: the assignee, else whoever
 * created it — reminders/recipient.ts).
 *
 * The database keeps "an assignee is a member of the task's project": the foreign key points at the
 * membership row, and removing the member (or deleting the account) clears the assignment of exactly
 * those tasks (`on delete set null (assignee_id)`, Postgres 15+). The app clears it itself first, with a
 * TaskUpdated per task (so reminders move back and the audit log records it); the key is the backstop for
 * every other path. That the assignee may also edit (owner or editor, not viewer) is the app's rule:
 * assigning a viewer is a 400, and demoting an assignee to viewer unassigns them (sharing.ts).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table tasks add column assignee_id uuid`.execute(db);
  await sql`alter table tasks add constraint tasks_assignee_is_member
    foreign key (project_id, assignee_id) references project_members (project_id, user_id)
    on delete set null (assignee_id)`.execute(db);
  // "Assigned to me" across projects, and a removed member's assignments in one project.
  await sql`create index tasks_assignee on tasks (assignee_id, project_id) where assignee_id is not null`.execute(
    db,
  );
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop index if exists tasks_assignee`.execute(db);
  await sql`alter table tasks drop constraint if exists tasks_assignee_is_member`.execute(db);
  await sql`alter table tasks drop column if exists assignee_id`.execute(db);
}
