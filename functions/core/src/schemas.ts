import { z } from 'zod';
import { ruleProblem } from './recurrence/rule.ts';

/** Request and response shapes for the HTTP API; the OpenAPI document is generated from these. */

export const TaskStatus = z.enum(['todo', 'in_progress', 'done']);
export const Priority = z.enum(['low', 'medium', 'high']);
export const RecurrenceMode = z.enum(['schedule', 'completion']);
export const SortBy = z.enum(['due_date', 'priority', 'created_at', 'title']);
export const SortOrder = z.enum(['asc', 'desc']);

const MAX_REMINDER_MINUTES = 366 * 24 * 60;

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
  .refine(isTimeZone, { message: 'must be an IANA time zone such as Europe/London' });

/** An RRULE body (`FREQ=...`), with or without the `RRULE:` prefix; DTSTART comes from due_at. */
export const RecurrenceRule = z
  .string()
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
export const TagRef = z.string().trim().min(1, 'tag names cannot be empty').max(64);

const Reminders = z
  .array(z.number().int().min(0).max(MAX_REMINDER_MINUTES))
  .max(10)
  .refine((a) => new Set(a).size === a.length, { message: 'reminder offsets must be distinct' });

const taskFields = {
  title: z.string().trim().min(1, 'title is required').max(500),
  description: z.string().max(10_000).default(''),
  status: TaskStatus.default('todo'),
  priority: Priority.default('medium'),
  tags: z.array(TagRef).max(50).default([]),
  due_at: z.iso.datetime({ offset: true }).nullable().default(null),
  time_zone: TimeZone.optional(),
  recurrence: Recurrence.nullable().default(null),
  /** Minutes before due_at; several allowed. */
  reminders: Reminders.default([]),
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
    description: z.string().max(10_000).optional(),
    status: TaskStatus.optional(),
    priority: Priority.optional(),
    tags: z.array(TagRef).max(50).optional(),
    due_at: z.iso.datetime({ offset: true }).nullable().optional(),
    time_zone: TimeZone.optional(),
    recurrence: Recurrence.nullable().optional(),
    reminders: Reminders.optional(),
  })
  .refine((p) => Object.keys(p).length > 0, { message: 'give at least one field to change' });
export type TaskPatch = z.infer<typeof TaskPatch>;

const csv = <T extends z.ZodType<unknown, string>>(item: T, max = 20) =>
  z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((v) => v.trim())
        .filter(Boolean),
    )
    .pipe(z.array(item).max(max));

const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

export const ListTasksQuery = z.strictObject({
  search: z.string().trim().max(200).optional(),
  status: csv(TaskStatus, 3).optional(),
  priority: csv(Priority, 3).optional(),
  /** Tag ids or names; a task must carry all of them. */
  tags: csv(TagRef).optional(),
  due_from: z.iso.datetime({ offset: true }).optional(),
  due_to: z.iso.datetime({ offset: true }).optional(),
  overdue: booleanFlag.optional(),
  series_id: z.uuid().optional(),
  sort_by: SortBy.default('created_at'),
  order: SortOrder.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
});
export type ListTasksQuery = z.infer<typeof ListTasksQuery>;

export const TagOut = z.object({ id: z.uuid(), name: z.string() });

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

export const IdParam = z.object({ id: z.uuid({ message: 'must be a UUID' }) });

export const Credentials = z.strictObject({
  email: z.email().max(254),
  password: z.string().min(8, 'password must be at least 8 characters').max(200),
  time_zone: TimeZone.optional(),
});
export const Login = z.strictObject({ email: z.email().max(254), password: z.string().min(1).max(200) });
export const Session = z.object({
  token: z.string(),
  user: z.object({ id: z.uuid(), email: z.string(), time_zone: z.string() }),
});
