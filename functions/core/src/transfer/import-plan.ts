import type { ProjectColor } from '../db/types.ts';
import type { FieldError } from '../runtime/errors.ts';
import { ProblemError } from '../runtime/errors.ts';
import type { ExportDocument, ExportTask, ImportSkipped } from './export-schema.ts';

/**
 * What an import will create, read and checked in full before anything is written (import.ts writes it
 * in one transaction): a JSON document and a Todoist CSV file both become one of these.
 */

export type PlannedProject =
  | { ref: string; kind: 'inbox' }
  /** A project the caller named (?project=): checked to be theirs, and open, inside the transaction. */
  | { ref: string; kind: 'existing'; id: string }
  | { ref: string; kind: 'new'; name: string; color: ProjectColor; archived: boolean };

/** A task, tied to its project, parent and series by the document's refs. */
export type PlannedTask = ExportTask;

export interface ImportPlan {
  projects: PlannedProject[];
  /** Tag names to have besides the tasks' own (an export lists unused tags too). */
  tags: string[];
  tasks: PlannedTask[];
  skipped: ImportSkipped;
  /** The ref of the project a CSV file goes into (the response's project_id). */
  target?: string;
}

export const nothingSkipped = (): ImportSkipped => ({
  project_notes: 0,
  assignees: 0,
  durations: 0,
  deadlines: 0,
  deep_subtasks: 0,
  recurring_subtasks: 0,
  columns: [],
});

/** Our own document, validated by ExportDocument: its projects in their order, the Inbox as the Inbox. */
export function planFromDocument(doc: ExportDocument): ImportPlan {
  const projects = [...doc.projects]
    .sort((a, b) => a.position - b.position)
    .map(
      (p): PlannedProject =>
        p.is_inbox
          ? { ref: p.ref, kind: 'inbox' }
          : { ref: p.ref, kind: 'new', name: p.name, color: p.color, archived: p.archived },
    );
  return {
    projects,
    tags: doc.tags.map((t) => t.name),
    tasks: doc.tasks,
    skipped: nothingSkipped(),
  };
}

/** The most problems one answer lists: enough to fix a file in a pass or two, bounded for a huge one. */
export const MAX_LISTED_PROBLEMS = 20;

/**
 * A 400 for a file, naming each line and column: `line 7: PRIORITY: must be 1–4` (the `detail`), and
 * `line.7.PRIORITY` as each error's field, a dotted path like the API's other fields.
 */
export function lineProblem(problems: { line: number; column: string; message: string }[]): ProblemError {
  const listed = problems.slice(0, MAX_LISTED_PROBLEMS);
  const errors: FieldError[] = listed.map((p) => ({
    field: `line.${p.line}.${p.column}`,
    message: p.message,
  }));
  const more = problems.length > listed.length ? ` (and ${problems.length - listed.length} more)` : '';
  const detail = listed.map((p) => `line ${p.line}: ${p.column}: ${p.message}`).join('; ') + more;
  return new ProblemError(400, detail, errors);
}
