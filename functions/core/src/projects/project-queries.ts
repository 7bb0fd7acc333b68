import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/types.ts';
import { fieldProblem, notFound } from '../runtime/errors.ts';
import { isUuid } from '../schemas.ts';
import { requireRole, visibleProjects } from './access.ts';

/** Lookups of projects that task writes, the listing and the assistant's tools share (by membership). */

/** The caller's Inbox as a subquery, for an insert that lands there by default (no extra round trip). */
export const inboxOf = (userId: string) =>
  sql<string>`(select id from projects where user_id = ${userId} and is_inbox)`;

/**
 * Checks that a task may be put in `projectId`: a project the caller is an editor or owner of (sharing;
 * a viewer gets 403) and not archived. A project they are not a member of is reported exactly like one
 * that does not exist (a 400 naming the field, as a foreign tag id is). The row is locked FOR KEY SHARE,
 * as the foreign key's own check would: a delete of that project waits for this transaction, and one
 * already under way makes this find nothing.
 */
export async function projectForTask(
  trx: Kysely<Database>,
  userId: string,
  projectId: string,
  field = 'body.project_id',
): Promise<string> {
  const row = await trx
    .selectFrom('projects')
    .select(['id', 'archived_at'])
    .where('id', '=', projectId)
    .where('id', 'in', visibleProjects(userId))
    .forKeyShare()
    .executeTakeFirst();
  if (!row) throw fieldProblem(field, `no project with id ${projectId}`);
  await requireRole(trx, userId, row.id, 'editor');
  if (row.archived_at) throw fieldProblem(field, 'the project is archived; restore it first');
  return row.id;
}

/**
 * A project named by id or by name (case-insensitively, archived ones too), for the assistant's tools,
 * where people say "the Groceries list". Names may repeat: an open project wins over archived ones, and
 * two open ones with the name are a 400 asking for the id.
 */
export async function resolveProjectRef(
  db: Kysely<Database>,
  userId: string,
  ref: string,
  field = 'project',
): Promise<string> {
  const byId = isUuid(ref);
  const wanted = ref.trim().toLowerCase();
  const rows = await db
    .selectFrom('projects')
    .select(['id', 'archived_at'])
    .where('id', 'in', visibleProjects(userId))
    .where(byId ? sql<string>`id` : sql<string>`lower(name)`, '=', wanted)
    .orderBy(sql`archived_at is not null`)
    // The caller's own order first, then projects shared with them.
    .orderBy(sql`user_id <> ${userId}`)
    .orderBy('position')
    .execute();
  if (!rows.length) {
    throw notFound('Project', byId ? `Project ${ref} not found` : `No project named "${ref}"`);
  }
  const open = rows.filter((r) => !r.archived_at);
  if (open.length > 1) {
    throw fieldProblem(field, `${open.length} projects are named "${ref}"; give the id from list_projects`);
  }
  return rows[0]!.id;
}
