import { z } from 'zod';
import { Instant, ProjectColor, ProjectName, TagRef, TaskCreate, TimeZone, text } from '../schemas.ts';

/**
 * The export document (GET /api/v1/export?format=json) and what POST /api/v1/import accepts back: one
 * schema, so what we write is what we read. The export is typed by its output; the import validates a
 * file with it, and the document-wide rules below (references resolve, one Inbox, one level of subtasks)
 * are part of it, so a bad file is one 400 naming each field (`body.tasks.3.project`).
 *
 * Projects, tasks and series are tied together by local refs (`p1`, `t7`, `s2`), never by ids: ids are
 * the account's, and an import makes new ones.
 */

/** The most an import takes: the body (5 MB), and rows of each kind. A larger export imports in parts. */
export const IMPORT_LIMITS = {
  bodyBytes: 5 * 1024 * 1024,
  tasks: 5_000,
  projects: 500,
  tags: 5_000,
} as const;

export const EXPORT_FORMAT = 'todo-export';
export const EXPORT_VERSION = 1;

/** A local reference inside one document. */
const Ref = text().trim().min(1, 'refs cannot be empty').max(64);

export const ExportProject = z.strictObject({
  ref: Ref,
  name: ProjectName,
  color: ProjectColor.default('grey'),
  /** Its place in the exported order (the Inbox 0); an import keeps the order, after the account's own. */
  position: z.number().int().min(0).max(100_000),
  archived: z.boolean().default(false),
  /** At most one: its tasks go into the importing account's own Inbox. */
  is_inbox: z.boolean().default(false),
});

export const ExportTag = z.strictObject({ name: TagRef });

const task = TaskCreate.shape;

export const ExportTask = z
  .strictObject({
    ref: Ref,
    /** The ref of its project in `projects`. */
    project: Ref,
    /** The ref of the task it is a subtask of (one level, the same project), or null. */
    parent: Ref.nullable().default(null),
    title: task.title,
    description: task.description,
    status: task.status,
    priority: task.priority,
    due_at: task.due_at,
    /** Left out on import: the importing user's zone. */
    time_zone: TimeZone.optional(),
    recurrence: task.recurrence,
    reminders: task.reminders,
    /** Tag names (created on import when the account lacks them). */
    tags: z.array(TagRef).max(50).default([]),
    /** Occurrences of one recurring task share a series ref; `occurrence` counts them (COUNT= rules). */
    series: Ref.nullable().default(null),
    occurrence: z.number().int().min(1).max(1_000_000).default(1),
    completed_at: Instant.nullable().default(null),
    /** Kept on import, so the order by creation survives the move; left out, the time of the import. */
    created_at: Instant.optional(),
  })
  .superRefine(function taskRules(t, ctx) {
    if (t.recurrence && !t.due_at)
      ctx.addIssue({ code: 'custom', path: ['due_at'], message: 'a recurring task needs a due date' });
    if (t.reminders.length && !t.due_at)
      ctx.addIssue({ code: 'custom', path: ['due_at'], message: 'reminders need a due date' });
    if (t.completed_at && t.status !== 'done')
      ctx.addIssue({ code: 'custom', path: ['completed_at'], message: 'only a done task has completed_at' });
    if (t.parent && t.recurrence)
      ctx.addIssue({ code: 'custom', path: ['recurrence'], message: 'a subtask does not repeat' });
  });

type ExportTaskOut = z.output<typeof ExportTask>;
type Issue = { path: PropertyKey[]; message: string };

function duplicates<T>(items: T[], key: (item: T) => string, path: (i: number) => PropertyKey[]): Issue[] {
  const seen = new Set<string>();
  return items.flatMap((item, i) => {
    const k = key(item);
    if (seen.has(k)) return [{ path: path(i), message: `"${k}" is used twice` }];
    seen.add(k);
    return [];
  });
}

/** A subtask's parent: in the document, in the same project, not a subtask itself. */
function parentIssue(t: ExportTaskOut, byRef: Map<string, ExportTaskOut>): string | undefined {
  if (!t.parent) return undefined;
  const parent = byRef.get(t.parent);
  if (!parent) return `no task with ref "${t.parent}"`;
  if (parent === t) return 'a task cannot be its own parent';
  if (parent.parent) return 'the parent is a subtask itself (one level of subtasks)';
  if (parent.project !== t.project) return "a subtask is in its parent's project";
  return undefined;
}

export const ExportDocument = z
  .strictObject({
    format: z.literal(EXPORT_FORMAT),
    version: z.literal(EXPORT_VERSION),
    exported_at: Instant,
    /** Whose export it was (informational: an import goes to the caller's account). */
    user: z.strictObject({ email: text().max(254), time_zone: TimeZone }),
    projects: z.array(ExportProject).max(IMPORT_LIMITS.projects),
    tags: z.array(ExportTag).max(IMPORT_LIMITS.tags).default([]),
    tasks: z.array(ExportTask).max(IMPORT_LIMITS.tasks),
  })
  .superRefine(function documentRules(doc, ctx) {
    const issues: Issue[] = [
      ...duplicates(
        doc.projects,
        (p) => p.ref,
        (i) => ['projects', i, 'ref'],
      ),
      ...duplicates(
        doc.tasks,
        (t) => t.ref,
        (i) => ['tasks', i, 'ref'],
      ),
    ];
    const inboxes = doc.projects.flatMap((p, i) => (p.is_inbox ? [i] : []));
    for (const i of inboxes.slice(1))
      issues.push({ path: ['projects', i, 'is_inbox'], message: 'only one project is the Inbox' });
    doc.projects.forEach((p, i) => {
      if (p.is_inbox && p.archived)
        issues.push({ path: ['projects', i, 'archived'], message: 'the Inbox cannot be archived' });
    });
    const projects = new Set(doc.projects.map((p) => p.ref));
    const byRef = new Map(doc.tasks.map((t) => [t.ref, t]));
    doc.tasks.forEach((t, i) => {
      if (!projects.has(t.project))
        issues.push({ path: ['tasks', i, 'project'], message: `no project with ref "${t.project}"` });
      const parent = parentIssue(t, byRef);
      if (parent) issues.push({ path: ['tasks', i, 'parent'], message: parent });
    });
    for (const issue of issues.slice(0, 20)) ctx.addIssue({ code: 'custom', ...issue });
  });

export type ExportDocument = z.output<typeof ExportDocument>;
export type ExportProject = z.output<typeof ExportProject>;
export type ExportTask = z.output<typeof ExportTask>;

export const ExportQuery = z.strictObject({
  /** `json`: the document an import reads back; `csv`: one row per task, for a spreadsheet. */
  format: z.enum(['json', 'csv']).default('json'),
});

export const ImportQuery = z.strictObject({
  /** CSV only: one of the caller's projects (not archived) to import into. */
  project: z.uuid({ message: 'must be a project id (UUID)' }).optional(),
  /** CSV only: the name of the new project the file goes into (default "Imported from Todoist"). */
  name: ProjectName.optional(),
});
export type ImportQuery = z.infer<typeof ImportQuery>;

/** What an import created, and what the file had that was left out or changed (counts). */
export const ImportResult = z.object({
  projects: z.number().int(),
  tasks: z.number().int(),
  /** Tags created (names the account already had are reused). */
  tags: z.number().int(),
  /** The project a CSV file went into; null for our JSON document (its own projects). */
  project_id: z.uuid().nullable(),
  skipped: z.object({
    /** Notes above the first task (project comments): there is no task to add them to. */
    project_notes: z.number().int(),
    /** RESPONSIBLE set: assignees are not imported. */
    assignees: z.number().int(),
    /** DURATION set: tasks have no duration here. */
    durations: z.number().int(),
    /** DEADLINE set: tasks have a due date only. */
    deadlines: z.number().int(),
    /** Tasks nested deeper than one level: made subtasks of their top-level task. */
    deep_subtasks: z.number().int(),
    /** Subtasks with a repeating date: imported as top-level tasks (a subtask does not repeat). */
    recurring_subtasks: z.number().int(),
    /** Columns of the file that were not read. */
    columns: z.array(z.string()),
  }),
});
export type ImportResult = z.infer<typeof ImportResult>;
export type ImportSkipped = ImportResult['skipped'];

/** Media types POST /api/v1/import reads (the catalog documents each; the handler reads them itself). */
export const IMPORT_BODIES = {
  'application/json': ExportDocument,
  'text/csv': z.string().describe("Todoist's CSV export (TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,…)"),
} as const;
