import type { z } from 'zod';
import type { Priority } from '../db/types.ts';
import { DEFAULT_TIME } from '../quick-add/dates.ts';
import { parseQuickAdd } from '../quick-add/parse-quick-add.ts';
import { Instant, isTimeZone, TagRef, TaskCreate, text } from '../schemas.ts';
import { instantOf } from '../wall-clock.ts';
import { CsvSyntaxError, parseCsv } from './csv.ts';
import { IMPORT_LIMITS } from './export-schema.ts';
import {
  type ImportPlan,
  lineProblem,
  MAX_LISTED_PROBLEMS,
  nothingSkipped,
  type PlannedProject,
  type PlannedTask,
} from './import-plan.ts';

/**
 * Todoist's CSV export ("Export as template → CSV"), in the format its help centre documents
 * (todoist.com/help/articles/format-a-csv-file-to-import-into-todoist-UVUXTmm6):
 *
 *   TYPE,CONTENT,DESCRIPTION,PRIORITY,INDENT,AUTHOR,RESPONSIBLE,DATE,DATE_LANG,TIMEZONE,DURATION,DURATION_UNIT,DEADLINE,DEADLINE_LANG
 *
 * (older exports stop at TIMEZONE and lack DESCRIPTION; columns are found by name). Rows of TYPE `task`,
 * `section` or `note`, and blank separator rows. How each maps here:
 * - task: CONTENT is the title, its `@label` words become tags; DESCRIPTION the description.
 * - PRIORITY 1–4, where 1 is p1, the highest, and an empty cell is p1 (Todoist's help says so). p1 → high,
 *   p2 → medium, p3 → low, as quick-add reads `p1`–`p3`; p4, Todoist's default ("no priority"), → medium,
 *   ours.
 * - INDENT 1 a task, 2 a subtask of the task above at 1. Subtasks here are one level deep, so deeper ones
 *   (3, 4 …) become subtasks of their top-level task (counted in `skipped.deep_subtasks`); a subtask with
 *   a repeating DATE becomes a top-level task, since a subtask does not repeat (`recurring_subtasks`).
 * - DATE: `YYYY-MM-DD` (due 09:00, quick-add's time for a date without one), `YYYY-MM-DD HH:MM`, an
 *   ISO instant, or a phrase quick-add reads ("tomorrow 5pm", "every monday" — a repeat becomes the
 *   task's RRULE), in TIMEZONE (an IANA zone) or the user's zone. A date nothing reads is a 400.
 * - section: a tag `section:<name>` on the tasks under it (a project has no sections here).
 * - note: appended to the description of the task above (a blank line between); notes above the
 *   first task are the project's comments and are skipped (counted).
 * - AUTHOR, DATE_LANG: not needed. RESPONSIBLE, DURATION, DEADLINE: nothing to put them in; counted.
 */

export const TODOIST_COLUMNS = [
  'TYPE',
  'CONTENT',
  'DESCRIPTION',
  'PRIORITY',
  'INDENT',
  'AUTHOR',
  'RESPONSIBLE',
  'DATE',
  'DATE_LANG',
  'TIMEZONE',
  'DURATION',
  'DURATION_UNIT',
  'DEADLINE',
  'DEADLINE_LANG',
] as const;
type Column = (typeof TODOIST_COLUMNS)[number];
const REQUIRED: Column[] = ['TYPE', 'CONTENT'];

const PRIORITIES: Record<string, Priority> = {
  '': 'high',
  '1': 'high',
  '2': 'medium',
  '3': 'low',
  '4': 'medium',
};

export interface TodoistContext {
  now: Date;
  /** The zone dates are read in when a row names none: the user's. */
  timeZone: string;
  /** Where the tasks go: a project of the caller's, or a new one. */
  project: PlannedProject;
}

interface LineIssue {
  line: number;
  column: string;
  message: string;
}

/** Thrown inside a row's reading: one problem with one cell. */
class CellProblem extends Error {
  constructor(
    readonly column: Column,
    message: string,
  ) {
    super(message);
  }
}

const firstMessage = (error: z.ZodError) => error.issues[0]?.message ?? 'is not valid';

function check<S extends z.ZodType>(column: Column, schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new CellProblem(column, firstMessage(result.error));
  return result.data;
}

/** CONTENT: the title, with Todoist's `@label` words taken out as tags. */
function readContent(content: string): { title: string; labels: string[] } {
  const labels: string[] = [];
  const rest = content.replace(/(^|\s)@([^\s@]+)/gu, (_, space: string, label: string) => {
    labels.push(label);
    return space;
  });
  const title = check('CONTENT', TaskCreate.shape.title, rest.replace(/\s+/g, ' '));
  return { title, labels: labels.map((l) => check('CONTENT', TagRef, l)) };
}

const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/;

/** A local `YYYY-MM-DD[ HH:MM[:SS]]` as an instant in `zone`, or undefined when it is no real date. */
function isoLocal(value: string, zone: string): Date | undefined {
  const m = ISO_LOCAL.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m
    .slice(1)
    .map((v) => (v === undefined ? undefined : Number(v)));
  const wall = {
    year: year!,
    month: month!,
    day: day!,
    hour: hour ?? DEFAULT_TIME.hour,
    minute: minute ?? DEFAULT_TIME.minute,
    second: second ?? 0,
  };
  const probe = new Date(Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second));
  const real =
    wall.year >= 1 &&
    probe.getUTCMonth() === wall.month - 1 &&
    probe.getUTCDate() === wall.day &&
    probe.getUTCHours() === wall.hour &&
    probe.getUTCMinutes() === wall.minute &&
    probe.getUTCSeconds() === wall.second;
  if (!real) throw new CellProblem('DATE', `"${value}" is not a real date and time`);
  return instantOf(wall, zone);
}

/** DATE: when the task is due, and its repeat when the phrase says one. */
function readDate(value: string, zone: string, now: Date): Pick<PlannedTask, 'due_at' | 'recurrence'> {
  // A date is a few words; a longer cell is no date, and the phrase reader need not scan it.
  if (value.length > 200) throw new CellProblem('DATE', 'is longer than 200 characters');
  const local = isoLocal(value, zone);
  if (local) return { due_at: check('DATE', Instant, local.toISOString()), recurrence: null };
  if (Instant.safeParse(value).success) return { due_at: value, recurrence: null };
  const read = parseQuickAdd(value, { now, timeZone: zone });
  if (!read.due_at || read.title)
    throw new CellProblem(
      'DATE',
      `cannot read "${value}" as a date: give YYYY-MM-DD, YYYY-MM-DD HH:MM or a phrase such as "tomorrow 9am" or "every monday"`,
    );
  return { due_at: read.due_at, recurrence: read.recurrence };
}

function readPriority(value: string): Priority {
  const priority = PRIORITIES[value];
  if (!priority) throw new CellProblem('PRIORITY', 'must be 1–4 (1 is p1, the highest)');
  return priority;
}

function readIndent(value: string): number {
  if (value === '') return 1;
  if (!/^\d{1,2}$/.test(value) || Number(value) < 1) throw new CellProblem('INDENT', 'must be 1 or more');
  return Number(value);
}

function readZone(value: string, fallback: string): string {
  if (value === '') return fallback;
  if (!isTimeZone(value))
    throw new CellProblem('TIMEZONE', 'must be an IANA time zone such as Europe/London');
  return value;
}

/** The header: each known column's index; unknown ones are reported as skipped, missing ones refused. */
function readHeader(fields: string[]): { index: Map<Column, number>; unknown: string[] } {
  const index = new Map<Column, number>();
  const unknown: string[] = [];
  fields.forEach((raw, i) => {
    const name = raw.trim().toUpperCase();
    if ((TODOIST_COLUMNS as readonly string[]).includes(name) && !index.has(name as Column))
      index.set(name as Column, i);
    else unknown.push(raw);
  });
  const missing = REQUIRED.filter((c) => !index.has(c));
  if (missing.length)
    throw lineProblem([
      {
        line: 1,
        column: 'header',
        message: `not Todoist's CSV format: expected the columns ${TODOIST_COLUMNS.join(',')} (missing ${missing.join(', ')})`,
      },
    ]);
  return { index, unknown };
}

/** Reads a Todoist CSV export into an import plan, or throws one 400 naming every bad line (up to 20). */
export function planFromTodoistCsv(input: string, ctx: TodoistContext): ImportPlan {
  let records: ReturnType<typeof parseCsv>;
  try {
    records = parseCsv(input);
  } catch (e) {
    if (e instanceof CsvSyntaxError)
      throw lineProblem([{ line: e.line, column: 'file', message: e.message }]);
    throw e;
  }
  const [header, ...rows] = records;
  if (!header) throw lineProblem([{ line: 1, column: 'header', message: 'the file is empty' }]);
  const { index, unknown } = readHeader(header.fields);
  const skipped = { ...nothingSkipped(), columns: unknown };
  const issues: LineIssue[] = [];
  const tasks: PlannedTask[] = [];
  const project = ctx.project.ref;
  let section: string | undefined;
  /** The last task at indent 1 in this section (a subtask's parent), and the last task's indent. */
  let top: PlannedTask | undefined;
  let lastIndent = 0;

  for (const { line, fields } of rows) {
    if (fields.every((f) => f.trim() === '')) continue;
    if (issues.length >= MAX_LISTED_PROBLEMS) break;
    if (fields.length !== header.fields.length) {
      issues.push({
        line,
        column: 'row',
        message: `has ${fields.length} fields; the header has ${header.fields.length}`,
      });
      continue;
    }
    const cell = (c: Column) => {
      const i = index.get(c);
      return i === undefined ? '' : fields[i]!;
    };
    try {
      const type = cell('TYPE').trim().toLowerCase();
      if (type === 'section') {
        section = check('CONTENT', TagRef, `section:${cell('CONTENT').trim()}`);
        top = undefined;
        lastIndent = 0;
      } else if (type === 'note') {
        const last = tasks.at(-1);
        const note = check('CONTENT', text(), cell('CONTENT').trim());
        if (!last) skipped.project_notes++;
        else if (note) {
          const joined = last.description ? `${last.description}\n\n${note}` : note;
          last.description = check('CONTENT', TaskCreate.shape.description, joined);
        }
      } else if (type === 'task') {
        if (tasks.length >= IMPORT_LIMITS.tasks)
          throw new CellProblem('TYPE', `at most ${IMPORT_LIMITS.tasks} tasks in one import`);
        const { title, labels } = readContent(cell('CONTENT'));
        const indent = readIndent(cell('INDENT').trim());
        if (indent > 1 && (!top || indent > lastIndent + 1))
          throw new CellProblem(
            'INDENT',
            `a task at indent ${indent} needs one at indent ${indent - 1} above it`,
          );
        const zone = readZone(cell('TIMEZONE').trim(), ctx.timeZone);
        const date = cell('DATE').trim();
        const when = date ? readDate(date, zone, ctx.now) : { due_at: null, recurrence: null };
        const tags = [
          ...new Map([...labels, ...(section ? [section] : [])].map((t) => [t.toLowerCase(), t])).values(),
        ];
        const task: PlannedTask = {
          ref: `t${tasks.length + 1}`,
          project,
          parent: null,
          title,
          description: check('DESCRIPTION', TaskCreate.shape.description, cell('DESCRIPTION')),
          status: 'todo',
          priority: readPriority(cell('PRIORITY').trim()),
          ...when,
          time_zone: zone,
          reminders: [],
          tags: check('CONTENT', TaskCreate.shape.tags, tags),
          series: null,
          occurrence: 1,
          completed_at: null,
        };
        if (indent > 1) {
          if (indent > 2) skipped.deep_subtasks++;
          if (task.recurrence) skipped.recurring_subtasks++;
          else task.parent = top!.ref;
        } else top = task;
        lastIndent = indent;
        if (cell('RESPONSIBLE').trim()) skipped.assignees++;
        if (cell('DURATION').trim()) skipped.durations++;
        if (cell('DEADLINE').trim()) skipped.deadlines++;
        tasks.push(task);
      } else {
        throw new CellProblem('TYPE', 'must be task, section or note');
      }
    } catch (e) {
      if (!(e instanceof CellProblem)) throw e;
      issues.push({ line, column: e.column, message: e.message });
    }
  }
  if (issues.length) throw lineProblem(issues);
  // Created a millisecond apart in the file's order, just before now: "newest first" lists keep it.
  const base = ctx.now.getTime() - tasks.length;
  for (const [i, t] of tasks.entries()) t.created_at = new Date(base + i).toISOString();
  return { projects: [ctx.project], tags: [], tasks, skipped, target: project };
}
