import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import { findAccount } from '../accounts/users.ts';
import type { Database, ProjectRow, TaskRow } from '../db/types.ts';
import { visibleProjects } from '../projects/access.ts';
import { notFound } from '../runtime/errors.ts';
import { iso } from '../runtime/time.ts';
import { compareTagNames } from '../tags/tag-queries.ts';
import { neutralizeFormula, toCsv } from './csv.ts';
import {
  EXPORT_FORMAT,
  EXPORT_VERSION,
  type ExportDocument,
  type ExportProject,
  type ExportTask,
} from './export-schema.ts';

/**
 * GET /api/v1/export: everything a user owns that matters to them, as the versioned JSON document an
 * import reads back (export-schema.ts), or as CSV for a spreadsheet (one row per task, made from the same
 * document). Read in one REPEATABLE READ transaction, so a task created meanwhile is either in every part
 * (its project, its tags) or in none. Built in memory: an account's tasks are a few MB at most in JSON.
 */

const byCodePoints = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Tasks in a stable order: by project, then by creation (title and id break ties). */
function taskOrder(position: Map<string, number>) {
  return (a: TaskRow, b: TaskRow) =>
    (position.get(a.project_id) ?? 0) - (position.get(b.project_id) ?? 0) ||
    a.created_at.getTime() - b.created_at.getTime() ||
    byCodePoints(a.title, b.title) ||
    byCodePoints(a.id, b.id);
}

/** Refs `p1`, `p2` … in order, by row id. */
function refsOf(ids: string[], prefix: string): Map<string, string> {
  return new Map(ids.map((id, i) => [id, `${prefix}${i + 1}`]));
}

function projectOf(row: ProjectRow, ref: string): ExportProject {
  return {
    ref,
    name: row.name,
    color: row.color,
    position: row.position,
    archived: row.archived_at !== null,
    is_inbox: row.is_inbox,
  };
}

async function tagNamesByTask(db: Kysely<Database>, userId: string): Promise<Map<string, string[]>> {
  const rows = await db
    .selectFrom('task_tags')
    .innerJoin('tags', 'tags.id', 'task_tags.tag_id')
    .select(['task_tags.task_id', 'tags.name'])
    .where('tags.user_id', '=', userId)
    .execute();
  const byTask = new Map<string, { name: string }[]>();
  for (const r of rows) byTask.set(r.task_id, [...(byTask.get(r.task_id) ?? []), { name: r.name }]);
  return new Map([...byTask].map(([id, tags]) => [id, tags.sort(compareTagNames).map((t) => t.name)]));
}

const NO_PROJECT = '00000000-0000-0000-0000-000000000000';

export async function buildExport(
  db: Kysely<Database>,
  userId: string,
  now = new Date(),
): Promise<ExportDocument> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (trx) => {
      const account = await findAccount(trx, userId);
      if (!account) throw notFound('User');
      // Sharing (issue 13): the projects the user created and is still a member of, with every task in
      // them (whoever of the members added it) — the user's own lists, as an import recreates them. A
      // project shared with them by someone else is not theirs to take away (its owner exports it), and
      // their tasks in it go with it: a task cannot be exported without its project.
      const projects = await trx
        .selectFrom('projects')
        .selectAll()
        .where('user_id', '=', userId)
        .where('id', 'in', visibleProjects(userId))
        .orderBy('position')
        .execute();
      const tags = (await trx.selectFrom('tags').select('name').where('user_id', '=', userId).execute()).sort(
        compareTagNames,
      );
      const position = new Map(projects.map((p) => [p.id, p.position]));
      const rows = (
        await trx
          .selectFrom('tasks')
          .selectAll()
          // Every user has their Inbox (its only owner cannot leave), so the list is never empty.
          .where('project_id', 'in', projects.length ? projects.map((p) => p.id) : [NO_PROJECT])
          .execute()
      ).sort(taskOrder(position));
      const tagNames = await tagNamesByTask(trx, userId);
      const projectRef = refsOf(
        projects.map((p) => p.id),
        'p',
      );
      const taskRef = refsOf(
        rows.map((t) => t.id),
        't',
      );
      const seriesRef = refsOf([...new Set(rows.flatMap((t) => (t.series_id ? [t.series_id] : [])))], 's');
      const task = (row: TaskRow): ExportTask => ({
        ref: taskRef.get(row.id)!,
        project: projectRef.get(row.project_id)!,
        parent: (row.parent_id && taskRef.get(row.parent_id)) ?? null,
        title: row.title,
        description: row.description,
        status: row.status,
        priority: row.priority,
        due_at: iso(row.due_at),
        time_zone: row.time_zone,
        recurrence:
          row.recurrence_rule && row.recurrence_mode
            ? { rule: row.recurrence_rule, mode: row.recurrence_mode }
            : null,
        reminders: row.reminder_offsets,
        tags: tagNames.get(row.id) ?? [],
        series: (row.series_id && seriesRef.get(row.series_id)) ?? null,
        occurrence: row.occurrence_number,
        completed_at: iso(row.completed_at),
        created_at: iso(row.created_at),
      });
      return {
        format: EXPORT_FORMAT,
        version: EXPORT_VERSION,
        exported_at: iso(now),
        user: { email: account.email, time_zone: account.time_zone },
        projects: projects.map((p) => projectOf(p, projectRef.get(p.id)!)),
        tags: tags.map((t) => ({ name: t.name })),
        tasks: rows.map(task),
      };
    });
}

export const CSV_COLUMNS = [
  'project',
  'title',
  'description',
  'status',
  'priority',
  'due_at',
  'time_zone',
  'recurrence',
  'recurrence_mode',
  'reminders',
  'tags',
  'completed_at',
  'created_at',
  'parent',
] as const;

/**
 * The document as CSV: a header and one row per task. Reminders are minutes before the due time, tags
 * are comma-separated, `parent` is the parent task's title. Every cell goes through neutralizeFormula
 * (csv.ts: OWASP's CSV-injection advice), so a title such as `=HYPERLINK(…)` is text in a spreadsheet.
 */
export function exportCsv(doc: ExportDocument): string {
  const project = new Map(doc.projects.map((p) => [p.ref, p.name]));
  const title = new Map(doc.tasks.map((t) => [t.ref, t.title]));
  const rows = doc.tasks.map((t) =>
    [
      project.get(t.project) ?? '',
      t.title,
      t.description,
      t.status,
      t.priority,
      t.due_at ?? '',
      t.time_zone ?? '',
      t.recurrence?.rule ?? '',
      t.recurrence?.mode ?? '',
      t.reminders.join(' '),
      t.tags.join(', '),
      t.completed_at ?? '',
      t.created_at ?? '',
      (t.parent && title.get(t.parent)) ?? '',
    ].map(neutralizeFormula),
  );
  // A byte-order mark first: without it Excel reads UTF-8 as the system's legacy code page.
  return `\uFEFF${toCsv([CSV_COLUMNS, ...rows])}`;
}

/** `todo-export-2026-03-09.json`: dated in the user's zone, as they would name it. */
export function exportFileName(doc: ExportDocument, extension: 'json' | 'csv'): string {
  const day = DateTime.fromISO(doc.exported_at, { zone: doc.user.time_zone }).toISODate();
  return `todo-export-${day}.${extension}`;
}
