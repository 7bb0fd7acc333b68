import { randomUUID } from 'node:crypto';
import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database, TaskRow, TaskRowUpdate } from '../db/types.ts';
import type { EventType } from '../events.ts';
import { inboxOf, projectForTask } from '../projects/project-queries.ts';
import { fieldProblem, notFound } from '../runtime/errors.ts';
import { enqueueEvent } from '../runtime/outbox.ts';
import type { TaskCreate, TaskOut, TaskPatch } from '../schemas.ts';
import { refreshTagNames, resolveTagsForWrite, tagsOfTasks } from '../tags/tag-queries.ts';
import { type TaskTag, toTaskJson } from './task-json.ts';

/** Who is writing and which function is the event source; every query below is scoped to `userId`. */
export interface WriteContext {
  db: Kysely<Database>;
  userId: string;
  source: string;
}

type Trx = Transaction<Database>;

export async function setTags(trx: Trx, taskId: string, tags: TaskTag[]): Promise<void> {
  await trx.deleteFrom('task_tags').where('task_id', '=', taskId).execute();
  if (tags.length) {
    await trx
      .insertInto('task_tags')
      .values(tags.map((t) => ({ task_id: taskId, tag_id: t.id })))
      .execute();
  }
  await refreshTagNames(trx, [taskId]);
}

export async function loadForUpdate(
  trx: Trx,
  userId: string,
  id: string,
): Promise<{ row: TaskRow; json: TaskOut }> {
  const row = await trx
    .selectFrom('tasks')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .forUpdate()
    .executeTakeFirst();
  if (!row) throw notFound('Task');
  const tags = (await tagsOfTasks(trx, [id])).get(id) ?? [];
  return { row, json: toTaskJson(row, tags) };
}

export async function reload(trx: Trx, id: string): Promise<TaskOut> {
  const row = await trx.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  return toTaskJson(row, (await tagsOfTasks(trx, [id])).get(id) ?? []);
}

function recurrenceColumns(recurrence: TaskCreate['recurrence'] | undefined) {
  if (recurrence === undefined) return {};
  return { recurrence_rule: recurrence?.rule ?? null, recurrence_mode: recurrence?.mode ?? null };
}

export async function createTask(ctx: WriteContext, input: TaskCreate): Promise<TaskOut> {
  return ctx.db.transaction().execute(async (trx) => {
    const id = randomUUID();
    // The project named (checked), else the Inbox, read inside the insert.
    const project =
      input.project_id === undefined
        ? inboxOf(ctx.userId)
        : await projectForTask(trx, ctx.userId, input.project_id);
    const tags = await resolveTagsForWrite(trx, ctx.userId, input.tags);
    // Round trips are the cost of a write: the row comes back from the insert, tag names are known here.
    const row = await trx
      .insertInto('tasks')
      .values({
        id,
        user_id: ctx.userId,
        project_id: project,
        title: input.title,
        description: input.description,
        status: input.status,
        priority: input.priority,
        due_at: input.due_at,
        time_zone: input.time_zone ?? sql<string>`(select time_zone from users where id = ${ctx.userId})`,
        ...recurrenceColumns(input.recurrence),
        series_id: input.recurrence ? id : null,
        reminder_offsets: input.reminders,
        tag_names: tags.map((t) => t.name).join(' '),
        completed_at: input.status === 'done' ? new Date() : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    if (tags.length) {
      await trx
        .insertInto('task_tags')
        .values(tags.map((t) => ({ task_id: id, tag_id: t.id })))
        .execute();
    }
    const task = toTaskJson(row, tags);
    await enqueueEvent(
      trx,
      'TaskCreated.v1',
      { task, previous: null, user_id: ctx.userId },
      { source: ctx.source, subject: id },
    );
    return task;
  });
}

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

/** Applies a change to one of the caller's tasks and records the matching event in the same transaction. */
async function changeTask(ctx: WriteContext, id: string, change: TaskPatch): Promise<TaskOut> {
  return ctx.db.transaction().execute(async (trx) => {
    const { row, json: previous } = await loadForUpdate(trx, ctx.userId, id);
    assertSchedulable(row, change);
    const becomesDone = change.status === 'done' && row.status !== 'done';
    const leavesDone = change.status !== undefined && change.status !== 'done' && row.status === 'done';
    // Only a move is checked: a PUT that names the task's own (perhaps archived) project is not one.
    const moveTo =
      change.project_id !== undefined && change.project_id.toLowerCase() !== row.project_id
        ? await projectForTask(trx, ctx.userId, change.project_id)
        : undefined;
    const update: TaskRowUpdate = {
      ...(change.title !== undefined && { title: change.title }),
      ...(change.description !== undefined && { description: change.description }),
      ...(change.status !== undefined && { status: change.status }),
      ...(change.priority !== undefined && { priority: change.priority }),
      ...(change.due_at !== undefined && { due_at: change.due_at }),
      ...(change.time_zone !== undefined && { time_zone: change.time_zone }),
      ...(change.reminders !== undefined && { reminder_offsets: change.reminders }),
      ...(moveTo && { project_id: moveTo }),
      ...recurrenceColumns(change.recurrence),
      ...(change.recurrence && !row.series_id && { series_id: row.id }),
      ...(becomesDone && { completed_at: new Date() }),
      ...(leavesDone && { completed_at: null, skipped_at: null }),
      updated_at: new Date(),
    };
    await trx.updateTable('tasks').set(update).where('id', '=', id).execute();
    if (change.tags !== undefined)
      await setTags(trx, id, await resolveTagsForWrite(trx, ctx.userId, change.tags));
    const task = await reload(trx, id);
    const type: EventType = becomesDone ? 'TaskCompleted.v1' : 'TaskUpdated.v1';
    await enqueueEvent(
      trx,
      type,
      { task, previous, user_id: ctx.userId },
      { source: ctx.source, subject: id },
    );
    return task;
  });
}

/**
 * PUT: every field is replaced; omitted ones go back to their defaults — except time_zone and
 * project_id, which have none of their own (the user's zone, the Inbox) and stay as they are.
 */
export function replaceTask(ctx: WriteContext, id: string, input: TaskCreate): Promise<TaskOut> {
  return changeTask(ctx, id, input);
}

export function patchTask(ctx: WriteContext, id: string, patch: TaskPatch): Promise<TaskOut> {
  return changeTask(ctx, id, patch);
}

export function completeTask(ctx: WriteContext, id: string): Promise<TaskOut> {
  return changeTask(ctx, id, { status: 'done' });
}

export function reopenTask(ctx: WriteContext, id: string): Promise<TaskOut> {
  return changeTask(ctx, id, { status: 'todo' });
}

export async function deleteTask(ctx: WriteContext, id: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const { json: previous } = await loadForUpdate(trx, ctx.userId, id);
    await trx.deleteFrom('tasks').where('id', '=', id).execute();
    await enqueueEvent(
      trx,
      'TaskDeleted.v1',
      { task: previous, previous, user_id: ctx.userId },
      { source: ctx.source, subject: id },
    );
  });
}
