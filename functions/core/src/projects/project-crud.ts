import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, ProjectRow } from '../db/types.ts';
import { conflict, notFound } from '../runtime/errors.ts';
import { enqueueEvent } from '../runtime/outbox.ts';
import { iso } from '../runtime/time.ts';
import type { ProjectCreate, ProjectOut, ProjectPatch } from '../schemas.ts';
import { tagsOfTasks } from '../tags/tag-queries.ts';
import { toTaskJson } from '../tasks/task-json.ts';
import type { WriteContext } from '../tasks/task-writes.ts';

/**
 * Projects: the caller's lists of tasks, in the order they chose. Every query is scoped to `userId`;
 * another user's project is a 404, exactly like one that does not exist.
 *
 * The order is `position`: the Inbox 0, the others a dense 1..n-1 (archived ones keep their place, so
 * restoring one puts it back where it was). Every change of the order first locks the caller's Inbox
 * row (FOR NO KEY UPDATE: tasks being added to the Inbox, which only KEY SHARE it, do not wait), so two
 * writes of one user's order run one after the other and the sequence stays dense; the deferred unique
 * (user_id, position) constraint would refuse a commit that broke it.
 */

type Trx = Transaction<Database>;
type ProjectWithCount = ProjectRow & { open_count: number | string | bigint };

function toProjectJson(row: ProjectWithCount): ProjectOut {
  return {
    id: row.id,
    name: row.name,
    color: row.color,
    position: row.position,
    is_inbox: row.is_inbox,
    archived_at: iso(row.archived_at),
    open_count: Number(row.open_count),
    created_at: iso(row.created_at)!,
    updated_at: iso(row.updated_at)!,
  };
}

/** Projects with their open (not done) task counts, in order; one query. */
function projectsWithCounts(db: Kysely<Database>, userId: string) {
  return db
    .selectFrom('projects as p')
    .leftJoin('tasks as t', (j) => j.onRef('t.project_id', '=', 'p.id').on('t.status', '<>', 'done'))
    .selectAll('p')
    .select(sql<string>`count(t.id)`.as('open_count'))
    .where('p.user_id', '=', userId)
    .groupBy('p.id')
    .orderBy('p.position');
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

async function loadForUpdate(trx: Trx, userId: string, id: string): Promise<ProjectRow> {
  const row = await trx
    .selectFrom('projects')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
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
    return toProjectJson({ ...row, open_count: 0 });
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

/** Renames, recolours, archives or restores, and reorders one of the caller's projects. */
export async function patchProject(
  db: Kysely<Database>,
  userId: string,
  id: string,
  patch: ProjectPatch,
): Promise<ProjectOut> {
  return db.transaction().execute(async (trx) => {
    await lockOrder(trx, userId);
    const row = await loadForUpdate(trx, userId, id);
    const refusal = row.is_inbox ? inboxRefusal(row, patch) : undefined;
    if (refusal) throw conflict(refusal);
    if (patch.position !== undefined) await moveProject(trx, userId, row, patch.position);
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
    await lockOrder(trx, ctx.userId);
    const project = await loadForUpdate(trx, ctx.userId, id);
    if (project.is_inbox) throw conflict('The Inbox cannot be deleted; delete its tasks instead');
    const rows = await trx
      .selectFrom('tasks')
      .selectAll()
      .where('project_id', '=', id)
      .where('user_id', '=', ctx.userId)
      .forUpdate()
      .execute();
    const tags = await tagsOfTasks(
      trx,
      rows.map((r) => r.id),
    );
    // The tasks go by the foreign key's cascade (with their task_tags).
    await trx.deleteFrom('projects').where('id', '=', id).execute();
    await trx
      .updateTable('projects')
      .set({ position: sql<number>`position - 1` })
      .where('user_id', '=', ctx.userId)
      .where('position', '>', project.position)
      .execute();
    for (const row of rows) {
      const task = toTaskJson(row, tags.get(row.id) ?? []);
      await enqueueEvent(
        trx,
        'TaskDeleted.v1',
        { task, previous: task, user_id: ctx.userId },
        { source: ctx.source, subject: row.id },
      );
    }
    return { deleted_tasks: rows.length };
  });
}
