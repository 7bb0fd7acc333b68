import type { Kysely } from 'kysely';
import { z } from 'zod';
import { userTimeZone } from '../accounts/users.ts';
import type { Database } from '../db/types.ts';
import { listProjects } from '../projects/project-crud.ts';
import { resolveProjectRef } from '../projects/project-queries.ts';
import { inviteMember, listMembers, resolveMemberRef } from '../projects/sharing.ts';
import { InvitationCreate } from '../projects/sharing-schemas.ts';
import { notFound } from '../runtime/errors.ts';
import {
  CompleteTaskQuery,
  IdParam,
  ListTasksQuery,
  Priority,
  TagCreate,
  TagRef,
  TaskCreate,
  TaskPatch,
  TaskStatus,
  text,
} from '../schemas.ts';
import { createTag, deleteTag, listTags } from '../tags/tag-crud.ts';
import { agendaToday, agendaUpcoming } from '../tasks/agenda.ts';
import { AgendaTodayQuery, AgendaUpcomingQuery } from '../tasks/agenda-schemas.ts';
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

/** A project by name (any case) or id; the tools resolve it among the caller's projects. */
const ProjectRef = text()
  .trim()
  .min(1)
  .max(120)
  .describe('A project name (any case) or id, from list_projects; the Inbox is "Inbox"');

/** A person by email, `me` or user id, among the members of the caller's projects. */
const AssigneeRef = text()
  .trim()
  .min(1)
  .max(320)
  .describe("A project member's email (from list_members), 'me', or a user id");

/**
 * The task fields with `project` (a name or id) and `assignee` (an email, 'me' or an id; null: nobody) in
 * place of project_id and assignee_id, resolved for the caller.
 */
async function withRefs<T extends { project?: string; assignee?: string | null }>(
  ctx: ToolContext,
  { project, assignee, ...rest }: T,
): Promise<Omit<T, 'project' | 'assignee'> & { project_id?: string; assignee_id?: string | null }> {
  return {
    ...rest,
    ...(project !== undefined && { project_id: await resolveProjectRef(ctx.db, ctx.userId, project) }),
    ...(assignee !== undefined && {
      assignee_id: assignee === null ? null : await resolveMemberRef(ctx.db, ctx.userId, assignee),
    }),
  };
}

/**
 * list_tasks takes the API's listing query, with the comma-separated query-string fields as JSON arrays and
 * the flags as booleans: the same filters, sorts and limits, in the shape a tool call naturally has.
 */
export const ListTasksInput = ListTasksQuery.extend({
  status: z.array(TaskStatus).max(3).optional().describe('Any of these statuses'),
  priority: z.array(Priority).max(3).optional().describe('Any of these priorities'),
  tags: z.array(TagRef).max(20).optional().describe('Tag names or ids; a task must carry all of them'),
  overdue: z.boolean().optional().describe('true: only tasks past due and not done'),
  project: ProjectRef.optional(),
  assignee: AssigneeRef.optional().describe(
    "'me': the tasks assigned to the user; 'none': unassigned ones; a member's email or id: theirs",
  ),
  limit: z.number().int().min(1).max(200).default(50),
});

/** invite_member: the invitation's fields, and the confirmation that sharing needs (the issue). */
const InviteMemberInput = z.strictObject({
  project: ProjectRef,
  email: InvitationCreate.shape.email,
  role: InvitationCreate.shape.role,
  confirm: z
    .boolean()
    .default(false)
    .describe('true only after the user agreed to share; without it nothing is sent'),
});

/** A parent task by id, for a subtask (one level: the parent is not a subtask itself). */
const ParentRef = IdParam.shape.id.describe(
  'The id of the task this is a subtask of (from list_tasks); a subtask goes into its parent’s project and cannot repeat',
);

const AssignTo = AssigneeRef.describe(
  "Assign it to this member of the task's project (an owner or editor): their email, 'me', or an id; they get its reminders",
);

export const AddTaskInput = TaskCreate.extend({
  project: ProjectRef.optional(),
  parent: ParentRef.optional(),
  assignee: AssignTo.optional(),
});
export const CompleteTaskInput = IdParam.extend({
  subtasks: CompleteTaskQuery.shape.subtasks.describe(
    'complete: its open subtasks are completed too; leave (the default): they stay open. Ask the user when a task has open subtasks (subtasks.total > subtasks.done).',
  ),
});
export const ListProjectsInput = z.strictObject({
  archived: z.boolean().default(false).describe('true: archived projects too'),
});

export const UpdateTaskInput = IdParam.extend(TaskPatch.shape).extend({
  project: ProjectRef.optional(),
  assignee: AssignTo.nullable().optional(),
});
export const SkipOccurrenceInput = z.strictObject({ series_id: IdParam.shape.id });
/** The views' queries, with `days` a number rather than a query-string value. */
export const TodayInput = AgendaTodayQuery;
export const UpcomingInput = AgendaUpcomingQuery.extend({
  days: z.number().int().min(1).max(31).default(7).describe('How many days, today the first'),
});
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
      "Create a task. due_at is ISO 8601 with an offset; recurrence.rule is an RRULE such as FREQ=WEEKLY;BYDAY=MO (needs due_at); reminders are minutes before due_at; unknown tag names are created; project (a name or id) defaults to the Inbox; parent (a task id) makes it a subtask of that task (one level: not of a subtask); assignee (a member's email or 'me') assigns it in a shared project.",
    input: AddTaskInput,
    annotations: WRITE,
    run: async (ctx, { parent, ...input }) =>
      createTask(ctx, await withRefs(ctx, { ...input, ...(parent !== undefined && { parent_id: parent }) })),
  }),
  tool({
    name: 'list_tasks',
    title: 'List tasks',
    description:
      "Search (title, description, tag names), filter (status, priority, tags, due range, overdue, series, project by name or id, assignee: 'me', 'none' or a member's email) and sort (due_date, priority, created_at, title) the user's tasks, a page at a time; pass next_cursor back as cursor for more. Lists top-level tasks (each with subtasks: {total, done}); parent (a task id) lists that task's subtasks instead; a search finds subtasks too (parent_id says whose).",
    input: ListTasksInput,
    annotations: READ,
    run: async (ctx, { project, assignee, ...query }) =>
      listTasks(ctx.db, ctx.userId, {
        ...query,
        ...(project !== undefined && { project: await resolveProjectRef(ctx.db, ctx.userId, project) }),
        ...(assignee !== undefined && {
          assignee:
            assignee.trim().toLowerCase() === 'none'
              ? 'none'
              : await resolveMemberRef(ctx.db, ctx.userId, assignee),
        }),
      }),
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
      "Change some fields of a task (title, description, status, priority, tags, due_at, time_zone, recurrence, reminders, project — a name or id moves it, with its subtasks; parent_id — a task id makes it a subtask, null top-level again; assignee — a member's email or 'me', null: nobody); fields left out stay as they are; null clears due_at or recurrence.",
    input: UpdateTaskInput,
    annotations: IDEMPOTENT_WRITE,
    run: async (ctx, { id, ...patch }) => patchTask(ctx, id, TaskPatch.parse(await withRefs(ctx, patch))),
  }),
  tool({
    name: 'complete_task',
    title: 'Complete a task',
    description:
      'Mark a task done. Completing a recurring task creates its next occurrence as a new task, with its subtasks open again. subtasks: complete also completes its open subtasks; leave (the default) keeps them open.',
    input: CompleteTaskInput,
    annotations: IDEMPOTENT_WRITE,
    run: (ctx, { id, subtasks }) => completeTask(ctx, id, { subtasks }),
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
    name: 'today',
    title: "Today's tasks",
    description:
      "The user's open tasks that are overdue (due before today) and due today, by calendar day in their time zone (or time_zone).",
    input: TodayInput,
    annotations: READ,
    run: async (ctx, input) =>
      agendaToday(ctx.db, ctx.userId, await userTimeZone(ctx.db, ctx.userId, input.time_zone)),
  }),
  tool({
    name: 'upcoming',
    title: 'Upcoming tasks',
    description:
      "Today and the next days (days, default 7) in the user's time zone, each with its open tasks and the occurrences recurring tasks will create (not tasks yet: task_id is the occurrence they follow).",
    input: UpcomingInput,
    annotations: READ,
    run: async (ctx, input) =>
      agendaUpcoming(ctx.db, ctx.userId, await userTimeZone(ctx.db, ctx.userId, input.time_zone), input.days),
  }),
  tool({
    name: 'list_projects',
    title: 'List projects',
    description:
      "The user's projects (lists) in their order, the Inbox first, then projects shared with them, with how many open tasks each has and the user's role (owner, editor, viewer — a viewer cannot change tasks); use a name or id as `project` in the task tools.",
    input: ListProjectsInput,
    annotations: READ,
    run: async (ctx, { archived }) => ({ items: await listProjects(ctx.db, ctx.userId, { archived }) }),
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
  tool({
    name: 'list_members',
    title: 'List project members',
    description:
      "Who a project is shared with and each one's role (owner, editor, viewer); an owner also sees the pending invitations.",
    input: z.strictObject({ project: ProjectRef }),
    annotations: READ,
    run: async (ctx, { project }) =>
      listMembers(ctx.db, ctx.userId, await resolveProjectRef(ctx.db, ctx.userId, project)),
  }),
  tool({
    name: 'invite_member',
    title: 'Invite someone to a project',
    description:
      'Invite an email address to a project as editor or viewer (the project owner only). Sharing gives another person access, so it only happens with confirm: true — call it first without, tell the user what would happen, and call again with confirm: true once they agree.',
    input: InviteMemberInput,
    annotations: WRITE,
    run: async (ctx, { project, email, role, confirm }) => {
      const projectId = await resolveProjectRef(ctx.db, ctx.userId, project);
      if (confirm !== true) {
        return {
          invited: false,
          needs_confirmation: true,
          would: `invite ${email} to this project as ${role}`,
          project_id: projectId,
          ask: `Shall I invite ${email} as ${role}? Call invite_member again with confirm: true.`,
        };
      }
      return {
        invited: true,
        invitation: await inviteMember(ctx.db, ctx.userId, projectId, { email, role }),
      };
    },
  }),
];

export const findTool = (name: string) => TASK_TOOLS.find((t) => t.name === name);
