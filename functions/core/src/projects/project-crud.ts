import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, ProjectRow } from '../db/types.ts';
import { conflict, notFound } from '../runtime/errors.ts';
import { enqueueEvent } from '../runtime/outbox.ts';
import { iso } from '../runtime/time.ts';
import type { ProjectCreate, ProjectOut, ProjectPatch } from '../schemas.ts';
import { tagsOfTasks } from '../tags/tag-queries.ts';
import { toTaskJson } from '../tasks/task-json.ts';
import type { WriteContext } from '../tasks/task-writes.ts';
import { type Role, requireRole, visibleProjects } from './access.ts';

/**
 * Projects: the lists of tasks the caller is a member of (sharing, issue 13 — projects/access.ts), each
 * with the caller's `role`. A project they are not a member of is a 404, exactly like one that does not
 * exist; reading needs any role, PATCH and DELETE need owner (403 otherwise).
 *
 * `user_id` is the project's creator: the project sits in their order. The caller's own projects come
 * first in their order, then the ones shared with them (by their creator's order, then age).
 *
 * The order is `position`: the Inbox 0, the others a dense 1..n-1 (archived ones keep their place, so
 * restoring one puts it back where it was). Every change of the order first locks the caller's Inbox
 * row (FOR NO KEY UPDATE: tasks being added to the Inbox, which only KEY SHARE it, do not wait), so two
 * writes of one user's order run one after the other and the sequence stays dense; the deferred unique
 * (user_id, position) constraint would refuse a commit that broke it.
 */

type Trx = Transaction<Database>;
type ProjectWithCount = ProjectRow & { open_count: number | string | bigint; role: Role };

function toProjectJson(row: ProjectWithCount): ProjectOut {
  return {
    id: row.id,
    name: row.name,
    color: row.color,
    position: row.position,
    is_inbox: row.is_inbox,
    archived_at: iso(row.archived_at),
    open_count: Number(row.open_count),
    role: row.role,
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
  };
}

/** The caller's projects (by membership) with their role and open (not done) task counts, in order; one query. */
function projectsWithCounts(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom('projects as p')
    .innerJoin('project_members as pm', (j) =>
      j.onRef('pm.project_id', '=', 'p.id').on('pm.user_id', '=', userId),
    )
    .leftJoin('tasks as t', (j) => j.onRef('t.project_id', '=', 'p.id').on('t.status', '<>', 'done'))
    .selectAll('p')
    .select('pm.role')
    .select(sql<string>`count(t.id)`.as('open_count'))
    .groupBy(['p.id', 'pm.role'])
    .orderBy(sql`p.user_id <> ${userId}`)
    .orderBy('p.position')
    .orderBy('p.created_at');
}

/** The caller's projects, the Inbox first; archived ones only when asked for. */
export async function listProjects(
  db: Kysely<Database>,
  userId: string,
  opts: { archived?: boolean } = {},
): Promise<ProjectOut[]> {
  let query = projectsWithCounts(db, userId);
  if (!opts.archived) query = query.where('p.archived_at', 'is', null);
  return (await query.execute()).map(toProjectJson);
}

export async function getProject(db: Kysely<Database>, userId: string, id: string): Promise<ProjectOut> {
  const row = await projectsWithCounts(db, userId).where('p.id', '=', id).executeTakeFirst();
  if (!row) throw notFound('Project');
  return toProjectJson(row);
}

/** Serialises changes of one user's order (see above). */
async function lockOrder(trx: Trx, userId: string): Promise<void> {
  await trx
    .selectFrom('projects')
    .select('id')
    .where('user_id', '=', userId)
    .where('is_inbox', '=', true)
    .forNoKeyUpdate()
    .execute();
}

/**
 * The creator of a project the caller owns (whose order it sits in): 404 for a non-member, 403 for a
 * member who is not an owner. Read before any lock, so the order's lock is still taken first (lockOrder).
 */
async function ownedProjectCreator(trx: Trx, userId: string, id: string): Promise<string> {
  const row = await trx
    .selectFrom('projects')
    .select('user_id')
    .where('id', '=', id)
    .where('id', 'in', visibleProjects(userId))
    .executeTakeFirst();
  if (!row) throw notFound('Project');
  await requireRole(trx, userId, id, 'owner');
  return row.user_id;
}

async function loadForUpdate(trx: Trx, id: string): Promise<ProjectRow> {
  const row = await trx
    .selectFrom('projects')
    .selectAll()
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw notFound('Project');
  return row;
}

/** A new project, placed last. */
export async function createProject(
  db: Kysely<Database>,
  userId: string,
  input: ProjectCreate,
): Promise<ProjectOut> {
  return db.transaction().execute(async (trx) => {
    await lockOrder(trx, userId);
    // A statement after the lock, so it sees a project another request created just before.
    const row = await trx
      .insertInto('projects')
      .values({
        user_id: userId,
        name: input.name,
        color: input.color,
        position: sql<number>`(select max(position) + 1 from projects where user_id = ${userId})`,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toProjectJson({ ...row, open_count: 0, role: 'owner' });
  });
}

/**
 * What the Inbox refuses: Todoist keeps it as it is, so people always find it (and "Inbox" in a phrase
 * always means it). A value equal to the current one is not a change and passes.
 */
function inboxRefusal(row: ProjectRow, patch: ProjectPatch): string | undefined {
  if (patch.name !== undefined && patch.name !== row.name) return 'The Inbox cannot be renamed';
  if (patch.archived === true) return 'The Inbox cannot be archived';
  if (patch.position !== undefined) return 'The Inbox stays first; move the other projects instead';
  return undefined;
}

/**
 * Moves a project to `wanted` (clamped to the last place), shifting the ones in between by one, in one
 * statement (the unique position is checked at commit).
 */
async function moveProject(trx: Trx, userId: string, row: ProjectRow, wanted: number): Promise<void> {
  const { count } = await trx
    .selectFrom('projects')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  const to = Math.min(wanted, Number(count) - 1);
  const from = row.position;
  if (to === from) return;
  await trx
    .updateTable('projects')
    .set({
      position: sql<number>`case when id = ${row.id} then ${to}::int
        when ${to}::int < ${from}::int then position + 1 else position - 1 end`,
    })
    .where('user_id', '=', userId)
    .where('position', '>=', Math.min(from, to))
    .where('position', '<=', Math.max(from, to))
    .execute();
}

/**
 * Renames, recolours, archives or restores, and reorders a project the caller owns. The order is its
 * creator's (a co-owner moving it moves it in the creator's list).
 */
export async function patchProject(
  db: Kysely<Database>,
  userId: string,
  id: string,
  patch: ProjectPatch,
): Promise<ProjectOut> {
  return db.transaction().execute(async (trx) => {
    const creator = await ownedProjectCreator(trx, userId, id);
    await lockOrder(trx, creator);
    const row = await loadForUpdate(trx, id);
    const refusal = row.is_inbox ? inboxRefusal(row, patch) : undefined;
    if (refusal) throw conflict(refusal);
    if (patch.position !== undefined) await moveProject(trx, creator, row, patch.position);
    await trx
      .updateTable('projects')
      .set({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(patch.color !== undefined && { color: patch.color }),
        ...(patch.archived === true && { archived_at: sql<Date>`coalesce(archived_at, now())` }),
        ...(patch.archived === false && { archived_at: null }),
        updated_at: new Date(),
      })
      .where('id', '=', id)
      .execute();
    return getProject(trx, userId, id);
  });
}

/**
 * Deletes a project with its tasks, and a TaskDeleted event per task (reminders are cancelled and the
 * audit log records each, as for a task deleted on its own), in one transaction; the projects after it
 * move up one. The project is locked FOR UPDATE first, so no task can be added to it or moved into it
 * meanwhile (that waits, then finds no project) and every task the cascade removes has its event.
 * Returns how many tasks went with it.
 */
export async function deleteProject(ctx: WriteContext, id: string): Promise<{ deleted_tasks: number }> {
  return ctx.db.transaction().execute(async (trx) => {
    const creator = await ownedProjectCreator(trx, ctx.userId, id);
    await lockOrder(trx, creator);
    const project = await loadForUpdate(trx, id);
    if (project.is_inbox) throw conflict('The Inbox cannot be deleted; delete its tasks instead');
    // Every task in it, whoever of its members created them.
    const rows = await trx.selectFrom('tasks').selectAll().where('project_id', '=', id).forUpdate().execute();
    const tags = await tagsOfTasks(
      trx,
      rows.map((r) => r.id),
    );
    // The tasks go by the foreign key's cascade (with their task_tags).
    await trx.deleteFrom('projects').where('id', '=', id).execute();
    await trx
      .updateTable('projects')
      .set({ position: sql<number>`position - 1` })
      .where('user_id', '=', creator)
      .where('position', '>', project.position)
      .execute();
    for (const row of rows) {
      const task = toTaskJson(row, tags.get(row.id) ?? []);
      await enqueueEvent(
        trx,
        'TaskDeleted.v1',
        { task, previous: task, user_id: row.user_id, actor_id: ctx.userId },
        { source: ctx.source, subject: row.id },
      );
    }
    return { deleted_tasks: rows.length };
  });
}
