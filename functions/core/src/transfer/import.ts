import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import { userTimeZone } from '../accounts/users.ts';
import type { Database, TaskRow } from '../db/types.ts';
import { projectForTask } from '../projects/project-queries.ts';
import { enqueueEvent } from '../runtime/outbox.ts';
import type { SubtaskCounts } from '../schemas.ts';
import { compareTagNames } from '../tags/tag-queries.ts';
import { type TaskTag, toTaskJson } from '../tasks/task-json.ts';
import type { WriteContext } from '../tasks/task-writes.ts';
import type { ImportResult } from './export-schema.ts';
import type { ImportPlan, PlannedProject, PlannedTask } from './import-plan.ts';

/**
 * Writes an import plan (import-plan.ts) in ONE transaction: its projects, tags and tasks, and a
 * TaskCreated event per task in the outbox, so reminders and repeats are scheduled downstream exactly as
 * for a task created through the API (schedule-reminder, audit). Any failure rolls all of it back: an
 * import is all or nothing. Tasks go in by multi-row inserts (a 5,000-task file is ten statements, not
 * 5,000); each event through enqueueEvent, in the same outbox and shape as createTask's.
 */

type Trx = Transaction<Database>;

/** Rows per insert: ~20 columns each stays far below Postgres' 65,535 parameters a statement. */
const CHUNK = 500;

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * As project-crud's lockOrder: the caller's Inbox row FOR NO KEY UPDATE serialises changes of their
 * project order, so the new projects' positions stay dense while another request creates one.
 */
async function lockProjectOrder(trx: Trx, userId: string): Promise<string> {
  const inbox = await trx
    .selectFrom('projects')
    .select('id')
    .where('user_id', '=', userId)
    .where('is_inbox', '=', true)
    .forNoKeyUpdate()
    .executeTakeFirstOrThrow();
  return inbox.id;
}

/** The plan's projects by ref: the Inbox, one named (checked: the caller's and open), or new ones, last. */
async function placeProjects(
  trx: Trx,
  userId: string,
  projects: PlannedProject[],
): Promise<{ ids: Map<string, string>; created: number }> {
  const inbox = await lockProjectOrder(trx, userId);
  const ids = new Map<string, string>();
  const fresh = projects.filter((p) => p.kind === 'new');
  for (const p of projects) {
    if (p.kind === 'inbox') ids.set(p.ref, inbox);
    if (p.kind === 'existing') ids.set(p.ref, await projectForTask(trx, userId, p.id, 'query.project'));
  }
  if (!fresh.length) return { ids, created: 0 };
  const { last } = await trx
    .selectFrom('projects')
    .select((eb) => eb.fn.max('position').as('last'))
    .where('user_id', '=', userId)
    .executeTakeFirstOrThrow();
  const now = new Date();
  const values = fresh.map((p, i) => {
    const id = randomUUID();
    ids.set(p.ref, id);
    return {
      id,
      user_id: userId,
      name: p.name,
      color: p.color,
      position: Number(last) + 1 + i,
      archived_at: p.archived ? now : null,
    };
  });
  for (const chunk of chunks(values, CHUNK)) await trx.insertInto('projects').values(chunk).execute();
  return { ids, created: fresh.length };
}

/**
 * Every tag name the plan uses, the account's own where it has them (case-insensitively, as everywhere),
 * created where not; keyed by the names as given. By name only: resolveTagsForWrite would read a name
 * that looks like a UUID as a tag id, and an exported tag may be named anything. Names are matched by
 * Postgres' lower(), as the unique index is, never by JavaScript's (they differ outside ASCII).
 */
async function tagsByName(
  trx: Trx,
  userId: string,
  names: string[],
): Promise<{ byName: Map<string, TaskTag>; created: number }> {
  const unique = [...new Set(names)];
  if (!unique.length) return { byName: new Map(), created: 0 };
  const { rows: created } = await sql<{ id: string }>`insert into tags (user_id, name)
    select ${userId}::uuid, n from unnest(${unique}::text[]) as n
    on conflict (user_id, lower(name)) do nothing returning id`.execute(trx);
  const { rows } = await sql<TaskTag & { wanted: string }>`select n as wanted, t.id, t.name
    from unnest(${unique}::text[]) as n join tags t on t.user_id = ${userId} and lower(t.name) = lower(n)`.execute(
    trx,
  );
  return {
    byName: new Map(rows.map(({ wanted, id, name }) => [wanted, { id, name }])),
    created: created.length,
  };
}

/**
 * Each task's series id: occurrences that shared a series share one again, the id of the series' first
 * occurrence (as the API names a series); a repeating task without one starts its own.
 */
function seriesIds(tasks: PlannedTask[], ids: Map<string, string>): Map<string, string | null> {
  const first = new Map<string, PlannedTask>();
  for (const t of tasks) {
    const seen = t.series && first.get(t.series);
    if (t.series && (!seen || t.occurrence < seen.occurrence)) first.set(t.series, t);
  }
  return new Map(
    tasks.map((t) => {
      if (t.series) return [t.ref, ids.get(first.get(t.series)!.ref)!];
      return [t.ref, t.recurrence ? ids.get(t.ref)! : null];
    }),
  );
}

/** Each parent's subtask counts, for its TaskCreated event (as the API would show the task now). */
function subtaskCounts(tasks: PlannedTask[]): Map<string, SubtaskCounts> {
  const counts = new Map<string, SubtaskCounts>();
  for (const t of tasks) {
    if (!t.parent) continue;
    const c = counts.get(t.parent) ?? { total: 0, done: 0 };
    counts.set(t.parent, { total: c.total + 1, done: c.done + (t.status === 'done' ? 1 : 0) });
  }
  return counts;
}

export async function applyImport(ctx: WriteContext, plan: ImportPlan): Promise<ImportResult> {
  return ctx.db.transaction().execute(async (trx) => {
    const projects = await placeProjects(trx, ctx.userId, plan.projects);
    const tags = await tagsByName(trx, ctx.userId, [...plan.tags, ...plan.tasks.flatMap((t) => t.tags)]);
    const zone = await userTimeZone(trx, ctx.userId);
    const ids = new Map(plan.tasks.map((t) => [t.ref, randomUUID()]));
    const series = seriesIds(plan.tasks, ids);
    const countsById = new Map([...subtaskCounts(plan.tasks)].map(([ref, c]) => [ids.get(ref)!, c]));
    const now = new Date();
    const tagsOf = (t: PlannedTask): TaskTag[] =>
      [...new Map(t.tags.map((n) => tags.byName.get(n)!).map((g) => [g.id, g])).values()].sort(
        compareTagNames,
      );
    // Parents first: the foreign key on parent_id is checked at the end of each statement.
    const ordered = [...plan.tasks.filter((t) => !t.parent), ...plan.tasks.filter((t) => t.parent)];
    for (const chunk of chunks(ordered, CHUNK)) {
      const withTags = chunk.map((t) => ({ t, tags: tagsOf(t) }));
      const rows = await trx
        .insertInto('tasks')
        .values(
          withTags.map(({ t, tags }) => ({
            id: ids.get(t.ref)!,
            user_id: ctx.userId,
            project_id: projects.ids.get(t.project)!,
            parent_id: t.parent ? ids.get(t.parent)! : null,
            title: t.title,
            description: t.description,
            status: t.status,
            priority: t.priority,
            due_at: t.due_at,
            time_zone: t.time_zone ?? zone,
            recurrence_rule: t.recurrence?.rule ?? null,
            recurrence_mode: t.recurrence?.mode ?? null,
            series_id: series.get(t.ref) ?? null,
            occurrence_number: t.occurrence,
            reminder_offsets: t.reminders,
            tag_names: tags.map((g) => g.name).join(' '),
            completed_at: t.status === 'done' ? (t.completed_at ?? now) : null,
            ...(t.created_at && { created_at: t.created_at }),
          })),
        )
        .returningAll()
        .execute();
      const links = withTags.flatMap(({ t, tags }) =>
        tags.map((g) => ({ task_id: ids.get(t.ref)!, tag_id: g.id })),
      );
      for (const part of chunks(links, CHUNK * 4)) await trx.insertInto('task_tags').values(part).execute();
      const tagsById = new Map(withTags.map(({ t, tags }) => [ids.get(t.ref)!, tags]));
      await enqueueCreated(trx, ctx, rows, tagsById, countsById);
    }
    return {
      projects: projects.created,
      tasks: plan.tasks.length,
      tags: tags.created,
      project_id: plan.target ? projects.ids.get(plan.target)! : null,
      skipped: plan.skipped,
    };
  });
}

/** A TaskCreated per task, its JSON as the API shows it, in the import's transaction (createTask's event). */
async function enqueueCreated(
  trx: Kysely<Database>,
  ctx: WriteContext,
  rows: TaskRow[],
  tags: Map<string, TaskTag[]>,
  counts: Map<string, SubtaskCounts>,
): Promise<void> {
  for (const row of rows) {
    const task = toTaskJson({ ...row, subtasks: counts.get(row.id) }, tags.get(row.id) ?? []);
    await enqueueEvent(
      trx,
      'TaskCreated.v1',
      { task, previous: null, user_id: ctx.userId, actor_id: ctx.userId },
      { source: ctx.source, subject: row.id },
    );
  }
}
