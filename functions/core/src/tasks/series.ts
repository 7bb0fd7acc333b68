import type { Kysely } from 'kysely';
import type { Database } from '../db/types.ts';
import { requireRole, visibleProjects } from '../projects/access.ts';
import { describeRule } from '../recurrence/describe.ts';
import { upcomingDues } from '../recurrence/next-due.ts';
import type { OccurrenceOut, SeriesOut } from '../recurrence/series-schemas.ts';
import { conflict, notFound } from '../runtime/errors.ts';
import { enqueueEvent } from '../runtime/outbox.ts';
import { iso } from '../runtime/time.ts';
import type { TaskOut } from '../schemas.ts';
import { tagsOfTasks } from '../tags/tag-queries.ts';
import { subtaskCounts } from './list-tasks.ts';
import { lockSeries, seriesEndedAt } from './next-occurrence.ts';
import { type TaskRowWithCounts, toTaskJson } from './task-json.ts';
import { loadForUpdate, patchTask, reload, type WriteContext } from './task-writes.ts';

async function occurrenceRows(
  db: Kysely<Database>,
  userId: string,
  seriesId: string,
): Promise<TaskRowWithCounts[]> {
  return (
    db
      .selectFrom('tasks as t')
      .selectAll('t')
      .select(subtaskCounts.as('subtasks'))
      // Every occurrence the caller can see (sharing: the series' project may be shared with them).
      .where('t.project_id', 'in', visibleProjects(userId))
      .where('t.series_id', '=', seriesId)
      .orderBy('t.occurrence_number')
      .orderBy('t.due_at')
      .execute()
  );
}

/**
 * One series as the web shows it: every occurrence that exists (done, skipped, open) and the next
 * `upcoming` ones the rule will create, projected from the open occurrence (or, between a completion
 * and the creation of the next one, from the last). Another user's series is not found.
 */
export async function getSeries(
  db: Kysely<Database>,
  userId: string,
  seriesId: string,
  upcoming: number,
): Promise<SeriesOut> {
  const rows = await occurrenceRows(db, userId, seriesId);
  if (!rows.length) throw notFound('Series');
  const tags = await tagsOfTasks(
    db,
    rows.map((r) => r.id),
  );
  const occurrences: OccurrenceOut[] = rows.map((row) => ({
    ...toTaskJson(row, tags.get(row.id) ?? []),
    occurrence_number: row.occurrence_number,
    skipped_at: iso(row.skipped_at),
    state: row.skipped_at ? 'skipped' : row.status === 'done' ? 'done' : 'open',
  }));
  const ended = await db
    .selectFrom('recurrence_series_ends')
    .select('ended_at')
    .where('series_id', '=', seriesId)
    .executeTakeFirst();
  const withRule = rows.filter((r) => r.recurrence_rule && r.recurrence_mode && r.due_at);
  const head = withRule.find((r) => r.status !== 'done') ?? withRule[withRule.length - 1];
  const last = rows[rows.length - 1]!;
  const projected =
    head && !ended && upcoming > 0
      ? upcomingDues(
          {
            rule: head.recurrence_rule!,
            mode: head.recurrence_mode!,
            dueAt: new Date(head.due_at!),
            dueLocal: head.due_local,
            timeZone: head.time_zone,
            occurrenceNumber: head.occurrence_number,
            completedAt: head.status === 'done' ? new Date(head.completed_at ?? Date.now()) : null,
          },
          upcoming,
        )
      : [];
  return {
    series_id: seriesId,
    time_zone: (head ?? last).time_zone,
    recurrence: head
      ? {
          rule: head.recurrence_rule!,
          mode: head.recurrence_mode!,
          text: describeRule(head.recurrence_rule!, new Date(head.due_at!), head.time_zone),
        }
      : null,
    ended_at: iso(ended?.ended_at ?? null),
    occurrences,
    upcoming: projected.map((p) => ({
      due_at: p.dueAt.toISOString(),
      due_local: p.dueLocal,
      occurrence_number: p.occurrenceNumber,
    })),
  };
}

/**
 * Skips the series' open occurrence (the earliest, if several are open): it is closed exactly like a
 * completion — status done, completed_at now, a TaskCompleted event — so the next occurrence is created
 * by the same event path, and `skipped_at` marks it as skipped in the history.
 */
export async function skipOccurrence(ctx: WriteContext, seriesId: string): Promise<OccurrenceOut> {
  return ctx.db.transaction().execute(async (trx) => {
    await lockSeries(trx, seriesId);
    const open = await trx
      .selectFrom('tasks')
      .select(['id', 'status'])
      .where('project_id', 'in', visibleProjects(ctx.userId))
      .where('series_id', '=', seriesId)
      .orderBy('due_at')
      .execute();
    if (!open.length) throw notFound('Series');
    if (await seriesEndedAt(trx, seriesId)) throw conflict('The series has ended; there is nothing to skip.');
    const target = open.find((t) => t.status !== 'done');
    if (!target)
      throw conflict('The series has no open occurrence to skip (its next one may still be on its way).');
    const { row: targetRow, json: previous } = await loadForUpdate(trx, ctx.userId, target.id);
    const now = new Date();
    await trx
      .updateTable('tasks')
      .set({ status: 'done', completed_at: now, skipped_at: now, updated_at: now })
      .where('id', '=', target.id)
      .execute();
    const task: TaskOut = await reload(trx, target.id);
    await enqueueEvent(
      trx,
      'TaskCompleted.v1',
      // The series owner (the task's creator), whose next occurrence it makes — see WriteContext.
      { task, previous, user_id: targetRow.user_id, actor_id: ctx.userId },
      { source: ctx.source, subject: target.id },
    );
    const row = await trx
      .selectFrom('tasks')
      .select('occurrence_number')
      .where('id', '=', target.id)
      .executeTakeFirstOrThrow();
    return {
      ...task,
      occurrence_number: row.occurrence_number,
      skipped_at: now.toISOString(),
      state: 'skipped',
    };
  });
}

/**
 * Ends a series: no occurrence is created after this, even for a completion already on its way (the
 * end is recorded under the series lock the next-occurrence path takes). The open occurrence stays a
 * task to do, with its due date and reminders, but loses its recurrence (a TaskUpdated event), so the
 * task no longer claims to repeat. Ending twice is harmless.
 */
export async function endSeries(
  ctx: WriteContext,
  seriesId: string,
): Promise<{ series_id: string; ended_at: string; open_task: TaskOut | null }> {
  const endedAt = await ctx.db.transaction().execute(async (trx) => {
    const exists = await trx
      .selectFrom('tasks')
      .select(['id', 'project_id'])
      .where('project_id', 'in', visibleProjects(ctx.userId))
      .where('series_id', '=', seriesId)
      .executeTakeFirst();
    if (!exists) throw notFound('Series');
    // Ending is a write: an editor of the series' project (a viewer gets 403).
    await requireRole(trx, ctx.userId, exists.project_id, 'editor', 'Series');
    await lockSeries(trx, seriesId);
    await trx
      .insertInto('recurrence_series_ends')
      .values({ series_id: seriesId, user_id: ctx.userId })
      .onConflict((oc) => oc.column('series_id').doNothing())
      .execute();
    return (await seriesEndedAt(trx, seriesId))!;
  });
  // After the end is committed no new occurrence can appear, so every open one is found here.
  const open = await ctx.db
    .selectFrom('tasks')
    .select('id')
    .where('project_id', 'in', visibleProjects(ctx.userId))
    .where('series_id', '=', seriesId)
    .where('status', '!=', 'done')
    .where('recurrence_rule', 'is not', null)
    .orderBy('due_at')
    .execute();
  const kept: TaskOut[] = [];
  for (const t of open) kept.push(await patchTask(ctx, t.id, { recurrence: null }));
  return { series_id: seriesId, ended_at: endedAt.toISOString(), open_task: kept[0] ?? null };
}
