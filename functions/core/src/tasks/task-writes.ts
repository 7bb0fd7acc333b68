import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, TaskRow, TaskRowUpdate } from '../db/types.ts';
import type { EventType } from '../events.ts';
import {
  ASSIGNABLE_ROLES,
  checkRole,
  isAssignable,
  requireAssignable,
  visibleProjects,
} from '../projects/access.ts';
import { inboxOf, projectForTask } from '../projects/project-queries.ts';
import { fieldProblem } from '../runtime/errors.ts';
import { enqueueEvent, queueTaskEvent, SET_BY_INSERT } from '../runtime/outbox.ts';
import type { CompleteTaskQuery, SubtaskCounts, TaskCreate, TaskOut, TaskPatch } from '../schemas.ts';
import {
  namedTagsCtes,
  refreshTagNames,
  resolveTagsForWrite,
  tagNamesOnly,
  tagsOfTasks,
} from '../tags/tag-queries.ts';
import { subtaskCounts, tagArray, tagNameList, tagsJson } from './list-tasks.ts';
import { type TaskTag, toTaskJson } from './task-json.ts';

/**
 * Who is writing and which function is the event source. Every query below is scoped by `userId`'s
 * membership of the task's project (projects/access.ts): an editor or owner writes, a viewer gets 403, a
 * non-member 404. A task's `user_id` is who created it; its events name that user (`user_id`), as before
 * sharing — the reminders and the next occurrence of a recurring task belong to the creator, whoever of
 * the project's editors changed or completed it.
 */
export interface WriteContext {
  db: Kysely<Database>;
  userId: string;
  source: string;
}

type Trx = Transaction<Database>;

/** A task's rows in task_tags, one per tag. */
const tagLinks = (taskId: string, tags: TaskTag[]) => tags.map((t) => ({ task_id: taskId, tag_id: t.id }));

/**
 * Sets the caller's tags on a task. Tags are personal (a tag belongs to a user): on a shared task each
 * member attaches their own, and a write replaces only the writer's — the other members' stay.
 */
export async function setTags(trx: Trx, userId: string, taskId: string, tags: TaskTag[]): Promise<void> {
  await trx
    .deleteFrom('task_tags')
    .where('task_id', '=', taskId)
    .where('tag_id', 'in', (eb) => eb.selectFrom('tags').select('id').where('user_id', '=', userId))
    .execute();
  if (tags.length) {
    await trx.insertInto('task_tags').values(tagLinks(taskId, tags)).execute();
  }
  await refreshTagNames(trx, [taskId]);
}

/**
 * A task the caller may write, locked FOR UPDATE, with its tags and subtask counts: 404 unless they are a
 * member of its project (exactly as for a task that does not exist), 403 for a viewer. One statement: the
 * membership is joined and locked FOR KEY SHARE with it, as requireRole would read it after.
 */
/** A task (aliased `t`) with its subtask counts and its tags, as the writes answer it. */
const taskWithTagsAndCounts = (trx: Trx) =>
  trx
    .selectFrom('tasks as t')
    .selectAll('t')
    .select([subtaskCounts.as('subtasks'), tagsJson.as('tags')]);

export async function loadForUpdate(
  trx: Trx,
  userId: string,
  id: string,
): Promise<{ row: TaskRow & { subtasks: SubtaskCounts | null }; json: TaskOut }> {
  const found = await taskWithTagsAndCounts(trx)
    .innerJoin('project_members as pm', (join) =>
      join.onRef('pm.project_id', '=', 't.project_id').on('pm.user_id', '=', userId),
    )
    .select('pm.role')
    .where('t.id', '=', id)
    .forUpdate(['t'])
    .forKeyShare(['pm'])
    .executeTakeFirst();
  checkRole(found?.role, 'editor', 'Task');
  const { role: _, tags, ...row } = found!;
  return { row, json: toTaskJson(row, tags) };
}

/** A task as written so far in this transaction, with its tags and subtask counts: one query. */
export async function reload(trx: Trx, id: string): Promise<TaskOut> {
  const row = await taskWithTagsAndCounts(trx).where('t.id', '=', id).executeTakeFirstOrThrow();
  return toTaskJson(row, row.tags);
}

/**
 * The subtasks of a task, oldest first, locked FOR UPDATE; the caller has checked the parent (its
 * subtasks are in its project). Every write that touches a parent and its subtasks locks the parent
 * first, then them, so two such writes cannot deadlock.
 */
export async function lockSubtasks(
  trx: Trx,
  parentId: string,
  only: 'all' | 'open' = 'all',
): Promise<TaskOut[]> {
  let query = trx
    .selectFrom('tasks as t')
    .selectAll('t')
    .select(tagsJson.as('tags'))
    .where('t.parent_id', '=', parentId);
  if (only === 'open') query = query.where('t.status', '<>', 'done');
  const rows = await query.orderBy('t.created_at').orderBy('t.id').forUpdate().execute();
  return rows.map((r) => toTaskJson(r, r.tags));
}

/**
 * The task a subtask is to go under: one in a project the caller is a member of (the write then needs
 * editor on that project, checked by projectForTask), and not a subtask itself (one level — see the
 * migration 20261202_1800_subtasks). Another user's task reads as one that does not exist. Locked FOR
 * SHARE, as the database's own check takes it: a concurrent write that would make it a subtask or move
 * it waits for this transaction, and one already under way is seen once it commits.
 */
async function parentFor(trx: Trx, userId: string, parentId: string) {
  const row = await trx
    .selectFrom('tasks')
    .select(['id', 'project_id', 'parent_id'])
    .where('id', '=', parentId)
    .where('project_id', 'in', visibleProjects(userId))
    .forShare()
    .executeTakeFirst();
  if (!row) throw fieldProblem('body.parent_id', `no task with id ${parentId}`);
  if (row.parent_id) {
    throw fieldProblem('body.parent_id', 'that task is a subtask itself; subtasks have one level');
  }
  return row;
}

const NOT_RECURRING =
  'a subtask cannot repeat; make its parent repeat instead (each next occurrence brings the subtasks along)';
const PARENTS_PROJECT = "a subtask is in its parent's project; leave project_id out";

/** The project a new subtask goes into: its parent's (checked like any project named: not archived). */
async function subtaskProject(trx: Trx, userId: string, input: TaskCreate, parentId: string) {
  const parent = await parentFor(trx, userId, parentId);
  if (input.recurrence) throw fieldProblem('body.recurrence', NOT_RECURRING);
  if (input.project_id !== undefined && input.project_id.toLowerCase() !== parent.project_id) {
    throw fieldProblem('body.project_id', PARENTS_PROJECT);
  }
  return {
    parentId: parent.id,
    projectId: await projectForTask(trx, userId, parent.project_id, 'body.parent_id'),
  };
}

/** A project given as an id or as the Inbox subquery (inboxOf), as an id. */
async function projectIdOf(trx: Trx, project: string | ReturnType<typeof inboxOf>): Promise<string> {
  if (typeof project === 'string') return project;
  const row = await trx
    .selectFrom('projects')
    .select('id')
    .where('id', '=', project)
    .executeTakeFirstOrThrow();
  return row.id;
}

/** A task's recurrence (or none) as its two columns. */
function recurrenceColumns(recurrence: TaskCreate['recurrence']) {
  return { recurrence_rule: recurrence?.rule ?? null, recurrence_mode: recurrence?.mode ?? null };
}

/** Where a new task goes: its project (an id, or the Inbox as a subquery), parent and assignee, as checked. */
interface Placement {
  project: string | ReturnType<typeof inboxOf>;
  parentId: string | null;
  assignee: string | null;
}

export async function createTask(ctx: WriteContext, input: TaskCreate): Promise<TaskOut> {
  // A top-level task for the Inbox, assigned to nobody, has nothing to check or lock first: no transaction.
  // Tagged by name only, it is one statement with its tags (two round trips in all, the session's and
  // this); else the tags are resolved first (three).
  if (!input.parent_id && input.project_id === undefined && !input.assignee_id) {
    const inbox: Placement = { project: inboxOf(ctx.userId), parentId: null, assignee: null };
    const names = tagNamesOnly(input.tags);
    if (names?.length) {
      try {
        return await insertTask(ctx.db, ctx, input, inbox, { names });
      } catch (e) {
        // A tag it names was created by another transaction while this statement ran: nothing of it was
        // written. The two-statement path reads that tag again.
        if (!isTagRace(e)) throw e;
      }
    }
    return insertTask(ctx.db, ctx, input, inbox, await resolveTagsForWrite(ctx.db, ctx.userId, input.tags));
  }
  return ctx.db.transaction().execute(async (trx) => {
    const place = await placementOf(trx, ctx.userId, input);
    return insertTask(trx, ctx, input, place, await resolveTagsForWrite(trx, ctx.userId, input.tags));
  });
}

/**
 * The guard in insertTask for tags named in the statement: when `tag` holds fewer rows than were named,
 * the task's tag_names is null, which its NOT NULL refuses, and the whole statement with it.
 */
function isTagRace(e: unknown): boolean {
  const { code, column } = e as { code?: string; column?: string };
  return code === '23502' && column === 'tag_names';
}

/** A subtask: its parent's project. Otherwise the project named (checked), else the Inbox. */
async function placementOf(trx: Trx, userId: string, input: TaskCreate): Promise<Placement> {
  const sub = input.parent_id ? await subtaskProject(trx, userId, input, input.parent_id) : null;
  const project = sub
    ? sub.projectId
    : input.project_id === undefined
      ? inboxOf(userId)
      : await projectForTask(trx, userId, input.project_id);
  const assignee = input.assignee_id
    ? await requireAssignable(trx, await projectIdOf(trx, project), input.assignee_id)
    : null;
  return { project, parentId: sub?.parentId ?? null, assignee };
}

/**
 * Inserts a task placed where `place` says, with its tags and its TaskCreated event, in one statement.
 * The tags are either resolved already, or given by name (`names`): then the statement creates the missing
 * ones too (namedTagsCtes), and fails on the tag_names guard (isTagRace) when one was created meanwhile.
 */
async function insertTask(
  db: Kysely<Database>,
  ctx: WriteContext,
  input: TaskCreate,
  place: Placement,
  tags: TaskTag[] | { names: string[] },
): Promise<TaskOut> {
  const id = randomUUID();
  const now = new Date();
  const named = 'names' in tags ? tags.names : null;
  const known = 'names' in tags ? [] : tags;
  const task = {
    id,
    user_id: ctx.userId,
    parent_id: place.parentId,
    assignee_id: place.assignee,
    title: input.title,
    description: input.description,
    status: input.status,
    priority: input.priority,
    due_at: input.due_at === null ? null : new Date(input.due_at),
    ...recurrenceColumns(input.recurrence),
    series_id: input.recurrence ? id : null,
    reminder_offsets: input.reminders,
    created_at: now,
    updated_at: now,
    completed_at: input.status === 'done' ? now : null,
  };
  // Left to the database when not given: the Inbox, the user's time zone (read inside the insert), and
  // the tags the statement finds or creates, whose names must all be there (else null: see isTagRace).
  const decided = {
    project_id: place.project,
    time_zone: input.time_zone ?? sql<string>`(select time_zone from users where id = ${ctx.userId})`,
    tag_names: named
      ? sql<string>`(select ${tagNameList('tag')} from tag having count(*) = ${named.length})`
      : known.map((t) => t.name).join(' '),
  };
  const json = toTaskJson(
    {
      ...task,
      project_id: typeof place.project === 'string' ? place.project : SET_BY_INSERT,
      time_zone: input.time_zone ?? SET_BY_INSERT,
    },
    known,
  );
  const tagRows = named ? namedTagsCtes(ctx.userId, named) : knownTagsCte(known);
  const { rows } = await sql<TaskRow & { tags?: TaskTag[] }>`with ${tagRows},
    task as (${db
      .insertInto('tasks')
      .values({ ...task, ...decided })
      .returningAll()}),
    tagged as (insert into task_tags (task_id, tag_id) select ${id}::uuid, id from tag),
    ${queueTaskEvent(
      'task',
      'TaskCreated.v1',
      { task: json, previous: null, user_id: ctx.userId, actor_id: ctx.userId },
      { source: ctx.source, subject: id },
      named ? sql`(select ${tagArray('tag')} from tag)` : undefined,
    )}`.execute(db);
  return toTaskJson(rows[0]!, rows[0]!.tags ?? known);
}

/** Tags resolved already, as the `tag(id, name)` CTE insertTask links them from. */
const knownTagsCte = (tags: TaskTag[]) =>
  tags.length
    ? sql`tag (id, name) as (values ${sql.join(tags.map((t) => sql`(${t.id}::uuid, ${t.name}::text)`))})`
    : sql`tag as (select null::uuid as id, null::text as name where false)`;

/** Recurrence and reminders hang off the due date, so the task after the change must still have one. */
function assertSchedulable(row: TaskRow, change: TaskPatch): void {
  const due = change.due_at !== undefined ? change.due_at : row.due_at;
  if (due) return;
  const recurring =
    change.recurrence !== undefined ? change.recurrence !== null : row.recurrence_rule !== null;
  const reminders = change.reminders ?? row.reminder_offsets;
  if (recurring || reminders.length) {
    throw fieldProblem('body.due_at', 'recurrence and reminders need a due date');
  }
}

const hasSubtasks = async (trx: Trx, id: string) =>
  (await trx.selectFrom('tasks').select('id').where('parent_id', '=', id).limit(1).executeTakeFirst()) !==
  undefined;

/**
 * Where a task is after a change: its parent (undefined: unchanged) and the project it moves to
 * (undefined: none), by the subtask rules — a subtask is in its parent's project, does not repeat, and
 * has no subtasks of its own; moving it means moving its parent, or making it top-level first.
 */
async function placement(
  trx: Trx,
  userId: string,
  row: TaskRow,
  change: TaskPatch,
): Promise<{ parent_id?: string | null; project_id?: string }> {
  const asked = change.parent_id === undefined ? undefined : (change.parent_id?.toLowerCase() ?? null);
  const reparent = asked !== undefined && asked !== row.parent_id;
  const parentId = reparent ? asked : row.parent_id;
  // Only a move is checked: a PUT that names the task's own (perhaps archived) project is not one.
  const project = change.project_id?.toLowerCase();
  const moves = project !== undefined && project !== row.project_id;
  if (parentId === null) {
    const moveTo = moves ? await projectForTask(trx, userId, project) : undefined;
    return { ...(reparent && { parent_id: null }), ...(moveTo && { project_id: moveTo }) };
  }
  const recurring =
    change.recurrence !== undefined ? change.recurrence !== null : row.recurrence_rule !== null;
  if (recurring) throw fieldProblem(change.recurrence ? 'body.recurrence' : 'body.parent_id', NOT_RECURRING);
  if (!reparent) {
    if (moves) {
      throw fieldProblem(
        'body.project_id',
        "a subtask stays in its parent's project: move the parent, or set parent_id to null first",
      );
    }
    return {};
  }
  if (parentId === row.id) throw fieldProblem('body.parent_id', 'a task cannot be its own subtask');
  const parent = await parentFor(trx, userId, parentId);
  if (await hasSubtasks(trx, row.id)) {
    throw fieldProblem('body.parent_id', 'this task has subtasks of its own; subtasks have one level');
  }
  if (project !== undefined && project !== parent.project_id) {
    throw fieldProblem('body.project_id', PARENTS_PROJECT);
  }
  const moveTo =
    parent.project_id !== row.project_id
      ? await projectForTask(trx, userId, parent.project_id, 'body.parent_id')
      : undefined;
  return { parent_id: parent.id, ...(moveTo && { project_id: moveTo }) };
}

/**
 * A parent moved to another project takes its subtasks along (the database refuses them elsewhere at
 * commit), each with its TaskUpdated event.
 */
async function moveSubtasks(trx: Trx, ctx: WriteContext, parent: TaskRow, projectId: string) {
  const parentId = parent.id;
  const before = await lockSubtasks(trx, parentId);
  if (!before.length) return;
  await trx
    .updateTable('tasks')
    .set({ project_id: projectId, assignee_id: assigneeWhoStays(projectId), updated_at: new Date() })
    .where('parent_id', '=', parentId)
    .execute();
  for (const previous of before) {
    const task = await reload(trx, previous.id);
    await enqueueEvent(
      trx,
      'TaskUpdated.v1',
      { task, previous, user_id: await creatorOf(trx, task.id), actor_id: ctx.userId },
      { source: ctx.source, subject: task.id },
    );
  }
}

/** A moved task's assignee, kept if they may be assigned in the project it moves to (else cleared). */
const assigneeWhoStays = (projectId: string) =>
  sql<string | null>`case when exists (select 1 from project_members pm
    where pm.project_id = ${projectId} and pm.user_id = tasks.assignee_id
      and pm.role = any(${ASSIGNABLE_ROLES}::text[]))
    then tasks.assignee_id end`;

/**
 * Whom a task is assigned to after a change: whom the change names (checked against the project it ends
 * up in), else — when it moves — its assignee if they may be assigned there too (else nobody), else
 * unchanged (undefined).
 */
async function assigneeAfter(
  trx: Trx,
  row: TaskRow,
  change: TaskPatch,
  moveTo: string | undefined,
): Promise<string | null | undefined> {
  const projectId = moveTo ?? row.project_id;
  if (change.assignee_id === null) return null;
  if (change.assignee_id !== undefined) return requireAssignable(trx, projectId, change.assignee_id);
  if (!moveTo || !row.assignee_id) return undefined;
  return (await isAssignable(trx, moveTo, row.assignee_id)) ? row.assignee_id : null;
}

/** Who created a task: its events name them (see WriteContext). */
const creatorOf = async (trx: Trx, id: string) =>
  (await trx.selectFrom('tasks').select('user_id').where('id', '=', id).executeTakeFirstOrThrow()).user_id;

/** Applies a change to one of the caller's tasks and records the matching event in the same transaction. */
function changeTask(ctx: WriteContext, id: string, change: TaskPatch): Promise<TaskOut> {
  return ctx.db.transaction().execute((trx) => changeTaskIn(trx, ctx, id, change));
}

async function changeTaskIn(trx: Trx, ctx: WriteContext, id: string, change: TaskPatch): Promise<TaskOut> {
  const { row, json: previous } = await loadForUpdate(trx, ctx.userId, id);
  assertSchedulable(row, change);
  const becomesDone = change.status === 'done' && row.status !== 'done';
  const leavesDone = change.status !== undefined && change.status !== 'done' && row.status === 'done';
  const placed = await placement(trx, ctx.userId, row, change);
  const moveTo = placed.project_id;
  const assignee = await assigneeAfter(trx, row, change, moveTo);
  const now = new Date();
  const update = {
    ...(change.title !== undefined && { title: change.title }),
    ...(change.description !== undefined && { description: change.description }),
    ...(change.status !== undefined && { status: change.status }),
    ...(change.priority !== undefined && { priority: change.priority }),
    ...(change.due_at !== undefined && { due_at: change.due_at === null ? null : new Date(change.due_at) }),
    ...(change.time_zone !== undefined && { time_zone: change.time_zone }),
    ...(change.reminders !== undefined && { reminder_offsets: change.reminders }),
    ...(moveTo && { project_id: moveTo }),
    ...(placed.parent_id !== undefined && { parent_id: placed.parent_id }),
    ...(assignee !== undefined && { assignee_id: assignee }),
    ...(change.recurrence !== undefined && recurrenceColumns(change.recurrence)),
    ...(change.recurrence && !row.series_id && { series_id: row.id }),
    ...(becomesDone && { completed_at: now }),
    ...(leavesDone && { completed_at: null, skipped_at: null }),
    updated_at: now,
  } satisfies TaskRowUpdate;
  const type: EventType = becomesDone ? 'TaskCompleted.v1' : 'TaskUpdated.v1';
  const event = (task: TaskOut) => ({ task, previous, user_id: row.user_id, actor_id: ctx.userId });
  const opts = { source: ctx.source, subject: id };
  const updateRow = trx.updateTable('tasks').set(update).where('id', '=', id);
  // A top-level task that moved: its subtasks follow (a task just made a subtask has none).
  const parentAfter = placed.parent_id !== undefined ? placed.parent_id : row.parent_id;
  const movesSubtasks = moveTo !== undefined && parentAfter === null;
  if (!movesSubtasks && change.tags === undefined) {
    // Nothing else changes: the task after is the locked row with the update applied (its tags and
    // subtask counts as read under the lock), so the update and its event are one statement.
    const task = toTaskJson({ ...row, ...update }, previous.tags);
    await sql`with task as (${updateRow.returningAll()}), ${queueTaskEvent('task', type, event(task), opts)}`.execute(
      trx,
    );
    return task;
  }
  await updateRow.execute();
  if (movesSubtasks) await moveSubtasks(trx, ctx, row, moveTo);
  if (change.tags !== undefined)
    await setTags(trx, ctx.userId, id, await resolveTagsForWrite(trx, ctx.userId, change.tags));
  const task = await reload(trx, id);
  await enqueueEvent(trx, type, event(task), opts);
  return task;
}

/**
 * PUT: every field is replaced; omitted ones go back to their defaults — except time_zone, project_id,
 * parent_id and assignee_id, which stay as they are when left out (the first two have no default of their
 * own — the user's zone, the Inbox — and a form that edits a subtask, or a client that predates assignees,
 * should not have to know about them).
 */
export function replaceTask(ctx: WriteContext, id: string, input: TaskCreate): Promise<TaskOut> {
  return changeTask(ctx, id, input);
}

export function patchTask(ctx: WriteContext, id: string, patch: TaskPatch): Promise<TaskOut> {
  return changeTask(ctx, id, patch);
}

/**
 * Completes a task. Its open subtasks stay open (`leave`, the default: the web app asks the user) or are
 * completed with it (`complete`), each with its TaskCompleted event, before it, in one transaction — so
 * the parent's own event and the answer carry the counts after.
 */
export function completeTask(
  ctx: WriteContext,
  id: string,
  options: Partial<CompleteTaskQuery> = {},
): Promise<TaskOut> {
  return ctx.db.transaction().execute(async (trx) => {
    if (options.subtasks === 'complete') {
      await loadForUpdate(trx, ctx.userId, id); // the parent first, then its subtasks (lockSubtasks)
      for (const sub of await lockSubtasks(trx, id, 'open')) {
        await changeTaskIn(trx, ctx, sub.id, { status: 'done' });
      }
    }
    return changeTaskIn(trx, ctx, id, { status: 'done' });
  });
}

export function reopenTask(ctx: WriteContext, id: string): Promise<TaskOut> {
  return changeTask(ctx, id, { status: 'todo' });
}

/**
 * Clears every assignment of `memberId` in a project (they were removed from it, or became a viewer), each
 * with a TaskUpdated by the caller: the tasks' reminders go back to their creators at once (through
 * schedule-reminder, like any change) and the audit log says who did it. Runs inside the membership
 * change's transaction, before the membership row goes (the foreign key would clear them silently).
 */
export async function unassignMember(
  trx: Trx,
  ctx: Pick<WriteContext, 'userId' | 'source'>,
  projectId: string,
  memberId: string,
): Promise<number> {
  const rows = await trx
    .selectFrom('tasks as t')
    .selectAll('t')
    .select(subtaskCounts.as('subtasks'))
    .where('t.project_id', '=', projectId)
    .where('t.assignee_id', '=', memberId)
    .orderBy('t.id')
    .forUpdate()
    .execute();
  if (!rows.length) return 0;
  const ids = rows.map((r) => r.id);
  const tags = await tagsOfTasks(trx, ids);
  await trx
    .updateTable('tasks')
    .set({ assignee_id: null, updated_at: new Date() })
    .where('id', 'in', ids)
    .execute();
  for (const row of rows) {
    const previous = toTaskJson(row, tags.get(row.id) ?? []);
    const task = await reload(trx, row.id);
    await enqueueEvent(
      trx,
      'TaskUpdated.v1',
      { task, previous, user_id: row.user_id, actor_id: ctx.userId },
      { source: ctx.source, subject: row.id },
    );
  }
  return rows.length;
}

/**
 * Deletes a task; its subtasks go with it (the foreign key's cascade), each with its TaskDeleted event so
 * its reminders are cancelled and the audit log records it, as a project's delete does for its tasks.
 */
export async function deleteTask(ctx: WriteContext, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const { row, json: previous } = await loadForUpdate(trx, ctx.userId, id);
    const subtasks = await lockSubtasks(trx, id);
    const creators = new Map(
      (await trx.selectFrom('tasks').select(['id', 'user_id']).where('parent_id', '=', id).execute()).map(
        (r) => [r.id, r.user_id],
      ),
    );
    await trx.deleteFrom('tasks').where('id', '=', id).execute();
    for (const task of subtasks) {
      await enqueueEvent(
        trx,
        'TaskDeleted.v1',
        { task, previous: task, user_id: creators.get(task.id) ?? row.user_id, actor_id: ctx.userId },
        { source: ctx.source, subject: task.id },
      );
    }
    await enqueueEvent(
      trx,
      'TaskDeleted.v1',
      { task: previous, previous, user_id: row.user_id, actor_id: ctx.userId },
      { source: ctx.source, subject: id },
    );
  });
}
