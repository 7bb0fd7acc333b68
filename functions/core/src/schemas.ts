import { z } from 'zod';
import { Priority, ProjectColor, ProjectRole, RecurrenceMode, TaskStatus } from './enums.ts';
import { ruleProblem } from './recurrence/rule.ts';

/** Request and response shapes for the HTTP API; the OpenAPI document is generated from these. */

export { Priority, ProjectColor, RecurrenceMode, TaskStatus };
export const SortBy = z.enum(['due_date', 'priority', 'created_at', 'title']);
export const SortOrder = z.enum(['asc', 'desc']);

const MAX_REMINDER_MINUTES = 366 * 24 * 60;

/**
 * Text the API accepts anywhere (bodies and query values): no NUL (Postgres cannot store U+0000 in
 * text and answered 500) and no lone UTF-16 surrogate (a `\ud800` without its pair cannot be encoded
 * as UTF-8: it was silently stored as U+FFFD). Both are rejected with a 400 naming the field rather
 * than stripped or replaced, so what is stored is exactly what was sent. Every request string schema
 * starts from `text()`.
 */
export const TEXT_MESSAGE = 'must not contain NUL (U+0000) or unpaired UTF-16 surrogates';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
export const isStorableText = (s: string) => !s.includes('\u0000') && !LONE_SURROGATE.test(s);
/** A UUID in its text form (any case), as Postgres accepts it in a cast. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string) => UUID.test(s);

export const text = () => z.string().refine(isStorableText, { message: TEXT_MESSAGE });

/**
 * An ISO 8601 date-time with an offset that Postgres can store as it means it: the year 0001–9999
 * (both as written and in UTC; there is no year 0000) and an offset within ±15:59 (Postgres rejects
 * larger ones; real zones span −12:00 … +14:00).
 */
export const Instant = z.iso.datetime({ offset: true }).refine(
  (s) => {
    const offset = /(?:([+-])(\d{2}):?(\d{2}))$/.exec(s);
    if (offset && Number(offset[2]) > 15) return false;
    const at = Date.parse(s);
    if (!Number.isFinite(at)) return false;
    const year = new Date(at).getUTCFullYear();
    return Number(s.slice(0, 4)) >= 1 && year >= 1 && year <= 9999;
  },
  { message: 'must be a date-time between the years 0001 and 9999 with an offset within ±15:59' },
);

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
}

export const TimeZone = z
  .string()
  .max(64)
  .refine(isStorableText, { message: TEXT_MESSAGE })
  .refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/London' });

/** An RRULE body (`FREQ=...`), with or without the `RRULE:` prefix; DTSTART comes from due_at. */
export const RecurrenceRule = text()
  .min(6)
  .max(500)
  .transform((s) => s.trim().replace(/^RRULE:/i, ''))
  .superRefine((rule, ctx) => {
    if (/DTSTART|\n/i.test(rule)) {
      ctx.addIssue({ code: 'custom', message: 'give the rule only (FREQ=...); the start is the due date' });
      return;
    }
    // One parser for validation and expansion (rrule numbers YEARLY 0 … DAILY 3, so `freq < DAILY`
    // rejected weekly, monthly and yearly rules).
    const problem = ruleProblem(rule);
    if (problem) ctx.addIssue({ code: 'custom', message: `not a valid RRULE: ${problem}` });
  });

export const Recurrence = z.strictObject({
  rule: RecurrenceRule,
  mode: RecurrenceMode.default('schedule'),
});

/** A tag given by id (uuid) or by name; unknown names are created. */
export const TagRef = text().trim().min(1, 'tag names cannot be empty').max(64);

const Reminders = z
  .array(z.number().int().min(0).max(MAX_REMINDER_MINUTES))
  .max(10)
  .refine((a) => new Set(a).size === a.length, { message: 'reminder offsets must be distinct' });

const taskFields = {
  title: text().trim().min(1, 'title is required').max(500),
  description: text().max(10_000).default(''),
  status: TaskStatus.default('todo'),
  priority: Priority.default('medium'),
  tags: z.array(TagRef).max(50).default([]),
  due_at: Instant.nullable().default(null),
  time_zone: TimeZone.optional(),
  recurrence: Recurrence.nullable().default(null),
  /** Minutes before due_at; several allowed. */
  reminders: Reminders.default([]),
  /** One of the caller's projects (not an archived one); left out, the Inbox (PUT: it stays where it is). */
  project_id: z.uuid({ message: 'must be a project id (UUID)' }).optional(),
  /**
   * The task this one is a subtask of: one of the caller's tasks that is not itself a subtask (one level).
   * A subtask is in its parent's project and does not repeat. Null or left out: a top-level task (PUT:
   * left out, it stays where it is; null makes it top-level).
   */
  parent_id: z.uuid({ message: 'must be a task id (UUID)' }).nullable().optional(),
  /**
   * The member of the task's project it is assigned to (an owner or editor; yourself too), who gets its
   * reminders. Null: nobody (its reminders ring for whoever created it). PUT: left out, it stays.
   */
  assignee_id: z.uuid({ message: 'must be a user id (UUID)' }).nullable().optional(),
};

function requireDueForSchedule(
  t: { due_at?: string | null; recurrence?: unknown; reminders?: number[] },
  ctx: z.RefinementCtx,
): void {
  if (t.recurrence && !t.due_at) {
    ctx.addIssue({ code: 'custom', path: ['due_at'], message: 'a recurring task needs a due date' });
  }
  if (t.reminders?.length && !t.due_at) {
    ctx.addIssue({ code: 'custom', path: ['due_at'], message: 'reminders need a due date' });
  }
}

export const TaskCreate = z.strictObject(taskFields).superRefine(requireDueForSchedule);
export type TaskCreate = z.infer<typeof TaskCreate>;

/** PUT replaces every field (omitted ones return to their defaults). */
export const TaskReplace = TaskCreate;

/** PATCH changes only the fields given. */
export const TaskPatch = z
  .strictObject({
    title: taskFields.title.optional(),
    description: text().max(10_000).optional(),
    status: TaskStatus.optional(),
    priority: Priority.optional(),
    tags: z.array(TagRef).max(50).optional(),
    due_at: Instant.nullable().optional(),
    time_zone: TimeZone.optional(),
    recurrence: Recurrence.nullable().optional(),
    reminders: Reminders.optional(),
    /** Moves the task to another of the caller's projects (a parent takes its subtasks along). */
    project_id: taskFields.project_id,
    /** Makes it a subtask of that task (into its project), or null a top-level task again. */
    parent_id: taskFields.parent_id,
    /** Assigns it to a member of its project, or null: to nobody. */
    assignee_id: taskFields.assignee_id,
  })
  .refine((p) => Object.keys(p).length > 0, { message: 'give at least one field to change' });
export type TaskPatch = z.infer<typeof TaskPatch>;

const csv = <T extends z.ZodType<unknown, string>>(item: T, max = 20) =>
  text()
    .transform((s) =>
      s
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).max(max));

const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const ListTasksQuery = z.strictObject({
  search: text().trim().max(200).optional(),
  status: csv(TaskStatus, 3).optional(),
  priority: csv(Priority, 3).optional(),
  /** Tag ids or names; a task must carry all of them. */
  tags: csv(TagRef).optional(),
  due_from: Instant.optional(),
  due_to: Instant.optional(),
  overdue: booleanFlag.optional(),
  series_id: z.uuid().optional(),
  /** A project id: only its tasks (another user's project matches nothing, as an unknown tag does). */
  project: z.uuid({ message: 'must be a project id (UUID)' }).optional(),
  /**
   * A task id: its subtasks. Without it a listing has top-level tasks only (each with its subtask
   * counts), unless it searches: then subtasks match too (their parent_id says whose they are).
   */
  parent: z.uuid({ message: 'must be a task id (UUID)' }).optional(),
  /**
   * `me`: the tasks assigned to the caller; `none`: unassigned ones; a user id: assigned to that member.
   * One string with a pattern rather than a union: schemathesis' coverage phase crashed (inside CPython's
   * ast module) generating negative cases for the anyOf a union became.
   */
  assignee: text()
    .regex(
      /^(?:me|none|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/,
      "must be 'me', 'none' or a user id (UUID)",
    )
    .optional(),
  sort_by: SortBy.default('created_at'),
  order: SortOrder.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: text().max(500).optional(),
});
export type ListTasksQuery = z.infer<typeof ListTasksQuery>;

/** completeTask's query: what happens to the task's open subtasks. */
export const CompleteTaskQuery = z.strictObject({
  /** `complete`: its open subtasks are completed with it; `leave` (the default): they stay open. */
  subtasks: z.enum(['complete', 'leave']).default('leave'),
});
export type CompleteTaskQuery = z.infer<typeof CompleteTaskQuery>;

export const TagOut = z.object({ id: z.uuid(), name: z.string() });

/** How many subtasks a task has, and how many of them are done. */
export const SubtaskCounts = z.object({ total: z.number().int(), done: z.number().int() });
export type SubtaskCounts = z.infer<typeof SubtaskCounts>;

export const TaskOut = z.object({
  id: z.uuid(),
  title: z.string(),
  description: z.string(),
  status: TaskStatus,
  priority: Priority,
  tags: z.array(TagOut),
  due_at: z.string().nullable(),
  time_zone: z.string(),
  recurrence: z.object({ rule: z.string(), mode: RecurrenceMode }).nullable(),
  series_id: z.uuid().nullable(),
  project_id: z.uuid(),
  /** The task this is a subtask of; null for a top-level task. */
  parent_id: z.uuid().nullable(),
  /** Its subtasks' counts (0 and 0 when it has none); null for a subtask, which cannot have any. */
  subtasks: SubtaskCounts.nullable(),
  /** The member it is assigned to (who gets its reminders), or null. */
  assignee_id: z.uuid().nullable(),
  reminders: z.array(z.number().int()),
  created_at: z.string(),
  updated_at: z.string(),
  completed_at: z.string().nullable(),
});
export type TaskOut = z.infer<typeof TaskOut>;

export const TaskPage = z.object({ items: z.array(TaskOut), next_cursor: z.string().nullable() });

export const TagCreate = z.strictObject({ name: TagRef });
export const TagRename = z.strictObject({ name: TagRef });
export const TagWithCount = TagOut.extend({ task_count: z.number().int() });
export type TagWithCount = z.infer<typeof TagWithCount>;
export const TagList = z.object({ items: z.array(TagWithCount) });

/** A project name: 1–120 characters after trimming; names may repeat (as in Todoist). */
export const ProjectName = text().trim().min(1, 'project names cannot be empty').max(120);

export const ProjectCreate = z.strictObject({
  name: ProjectName,
  color: ProjectColor.default('grey'),
});
export type ProjectCreate = z.infer<typeof ProjectCreate>;

/** PATCH: the fields given change. The Inbox takes only `color` (it keeps its name and place). */
export const ProjectPatch = z
  .strictObject({
    name: ProjectName.optional(),
    color: ProjectColor.optional(),
    /** true archives (its tasks stay, the project leaves the default listing), false restores. */
    archived: z.boolean().optional(),
    /** The place in the order, 1 = right after the Inbox; larger than the last moves it to the end. */
    position: z.number().int().min(1, 'position 0 is the Inbox’s').max(100_000).optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: 'give at least one field to change' });
export type ProjectPatch = z.infer<typeof ProjectPatch>;

export const ListProjectsQuery = z.strictObject({
  /** true: archived projects too (each in its place in the order). */
  archived: booleanFlag.default(false),
});

export const ProjectOut = z.object({
  id: z.uuid(),
  name: z.string(),
  color: ProjectColor,
  position: z.number().int(),
  is_inbox: z.boolean(),
  archived_at: z.string().nullable(),
  /** Tasks not done. */
  open_count: z.number().int(),
  /** The caller's role in it (sharing): owner, editor or viewer. */
  role: ProjectRole,
  created_at: z.string(),
  updated_at: z.string(),
});
export type ProjectOut = z.infer<typeof ProjectOut>;
export const ProjectList = z.object({ items: z.array(ProjectOut) });

export const IdParam = z.object({ id: z.uuid({ message: 'must be a UUID' }) });

export const Credentials = z.strictObject({
  email: z.email().max(254),
  password: text().min(8, 'password must be at least 8 characters').max(200),
  time_zone: TimeZone.optional(),
});
export const Login = z.strictObject({ email: z.email().max(254), password: text().min(1).max(200) });
export const Me = z.object({
  id: z.uuid(),
  email: z.string(),
  time_zone: z.string(),
  /** Reminder emails go only to a verified address. */
  email_verified: z.boolean(),
});
/** `token` is a short-lived access token (`expires_in` seconds); the refresh token is an HttpOnly cookie. */
export const Session = z.object({ token: z.string(), expires_in: z.number().int(), user: Me });
