import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/types.ts';
import { notFound } from '../runtime/errors.ts';
import {
  IdParam,
  ListTasksQuery,
  Priority,
  TagCreate,
  TagRef,
  TaskCreate,
  TaskPatch,
  TaskStatus,
} from '../schemas.ts';
import { createTag, deleteTag, listTags } from '../tags/tag-crud.ts';
import { getTask, listTasks } from '../tasks/list-tasks.ts';
import { skipOccurrence } from '../tasks/series.ts';
import { completeTask, createTask, deleteTask, patchTask, reopenTask } from '../tasks/task-writes.ts';

/** Who is calling (every query is scoped to them) and which function is the source of the events. */
export interface ToolContext {
  db: Kysely<Database>;
  userId: string;
  source: string;
}

/** MCP tool annotations: hints an assistant uses to decide when to ask the user first. */
export interface ToolAnnotations {
  readOnlyHint: boolean;
  destructiveHint: boolean;
  idempotentHint: boolean;
  openWorldHint: boolean;
}

export interface TaskTool<S extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  input: S;
  annotations: ToolAnnotations;
  run(ctx: ToolContext, input: z.infer<S>): Promise<unknown>;
}

const tool = <S extends z.ZodObject>(t: TaskTool<S>): TaskTool => t as unknown as TaskTool;

const READ = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false };
const WRITE = { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false };
const IDEMPOTENT_WRITE = { ...WRITE, idempotentHint: true };
const DESTRUCTIVE = { ...WRITE, destructiveHint: true, idempotentHint: true };

const taskNotFound = (id: string) => notFound('Task', `Task ${id} not found`);

/**
 * list_tasks takes the API's listing query, with the comma-separated query-string fields as JSON arrays and
 * the flags as booleans: the same filters, sorts and limits, in the shape a tool call naturally has.
 */
export const ListTasksInput = ListTasksQuery.extend({
  status: z.array(TaskStatus).max(3).optional().describe('Any of these statuses'),
  priority: z.array(Priority).max(3).optional().describe('Any of these priorities'),
  tags: z.array(TagRef).max(20).optional().describe('Tag names or ids; a task must carry all of them'),
  overdue: z.boolean().optional().describe('true: only tasks past due and not done'),
  limit: z.number().int().min(1).max(200).default(50),
});

export const UpdateTaskInput = IdParam.extend(TaskPatch.shape);
export const SkipOccurrenceInput = z.strictObject({ series_id: IdParam.shape.id });
export const SetReminderInput = IdParam.extend({
  reminders: TaskPatch.shape.reminders
    .unwrap()
    .describe('Minutes before the due date, e.g. [1440, 60] for a day and an hour before; [] removes all'),
});

export const TASK_TOOLS: TaskTool[] = [
  tool({
    name: 'add_task',
    title: 'Add a task',
    description:
      'Create a task. due_at is ISO 8601 with an offset; recurrence.rule is an RRULE such as FREQ=WEEKLY;BYDAY=MO (needs due_at); reminders are minutes before due_at; unknown tag names are created.',
    input: TaskCreate,
    annotations: WRITE,
    run: (ctx, input) => createTask(ctx, input),
  }),
  tool({
    name: 'list_tasks',
    title: 'List tasks',
    description:
      "Search (title, description, tag names), filter (status, priority, tags, due range, overdue, series) and sort (due_date, priority, created_at, title) the user's tasks, a page at a time; pass next_cursor back as cursor for more.",
    input: ListTasksInput,
    annotations: READ,
    run: (ctx, input) => listTasks(ctx.db, ctx.userId, input),
  }),
  tool({
    name: 'get_task',
    title: 'Get a task',
    description: 'One task by id, with its tags, recurrence and reminders.',
    input: IdParam,
    annotations: READ,
    run: async (ctx, { id }) => (await getTask(ctx.db, ctx.userId, id)) ?? Promise.reject(taskNotFound(id)),
  }),
  tool({
    name: 'update_task',
    title: 'Update a task',
    description:
      'Change some fields of a task (title, description, status, priority, tags, due_at, time_zone, recurrence, reminders); fields left out stay as they are; null clears due_at or recurrence.',
    input: UpdateTaskInput,
    annotations: IDEMPOTENT_WRITE,
    run: (ctx, { id, ...patch }) => patchTask(ctx, id, TaskPatch.parse(patch)),
  }),
  tool({
    name: 'complete_task',
    title: 'Complete a task',
    description: 'Mark a task done. Completing a recurring task creates its next occurrence as a new task.',
    input: IdParam,
    annotations: IDEMPOTENT_WRITE,
    run: (ctx, { id }) => completeTask(ctx, id),
  }),
  tool({
    name: 'reopen_task',
    title: 'Reopen a task',
    description: 'Mark a done task as not done (status todo).',
    input: IdParam,
    annotations: IDEMPOTENT_WRITE,
    run: (ctx, { id }) => reopenTask(ctx, id),
  }),
  tool({
    name: 'delete_task',
    title: 'Delete a task',
    description: 'Delete a task for good. Ask the user first.',
    input: IdParam,
    annotations: DESTRUCTIVE,
    run: async (ctx, { id }) => {
      await deleteTask(ctx, id);
      return { deleted: true, id };
    },
  }),
  tool({
    name: 'list_tags',
    title: 'List tags',
    description: "The user's tags with how many tasks carry each.",
    input: z.strictObject({}),
    annotations: READ,
    run: async (ctx) => ({ items: await listTags(ctx.db, ctx.userId) }),
  }),
  tool({
    name: 'add_tag',
    title: 'Add a tag',
    description: 'Create a tag (names are unique per user, ignoring case).',
    input: TagCreate,
    annotations: WRITE,
    run: (ctx, { name }) => createTag(ctx.db, ctx.userId, name),
  }),
  tool({
    name: 'delete_tag',
    title: 'Delete a tag',
    description: 'Delete a tag by id (from list_tags); tasks keep existing without it.',
    input: IdParam,
    annotations: DESTRUCTIVE,
    run: async (ctx, { id }) => {
      await deleteTag(ctx.db, ctx.userId, id);
      return { deleted: true, id };
    },
  }),
  tool({
    name: 'set_reminder',
    title: 'Set reminders',
    description:
      "Replace a task's reminders with these offsets (minutes before its due date). The task needs a due date.",
    input: SetReminderInput,
    annotations: IDEMPOTENT_WRITE,
    run: (ctx, { id, reminders }) => patchTask(ctx, id, { reminders }),
  }),
  tool({
    name: 'skip_occurrence',
    title: 'Skip an occurrence',
    description:
      "Skip the open occurrence of a recurring task's series: it is closed as skipped (kept in the history) and the series moves on to the next one. series_id is on every occurrence (get_task, list_tasks).",
    input: SkipOccurrenceInput,
    annotations: WRITE,
    run: (ctx, { series_id }) => skipOccurrence(ctx, series_id),
  }),
];

export const findTool = (name: string) => TASK_TOOLS.find((t) => t.name === name);
