import { randomUUID } from 'node:crypto';
import { sql, type Transaction } from 'kysely';
import { DateTime } from 'luxon';
import type { Database } from '../db/types.ts';
import { visibleProjects } from '../projects/access.ts';
import { nextDue } from '../recurrence/next-due.ts';
import { enqueueEvent } from '../runtime/outbox.ts';
import type { TaskOut } from '../schemas.ts';
import { tagsJson } from './list-tasks.ts';
import { reload, setTags } from './task-writes.ts';

type Trx = Transaction<Database>;

/**
 * Serialises everything that decides a series' future (next occurrence, skip, end) across replicas, so
 * "end the series" and an in-flight completion cannot both win.
 */
export async function lockSeries(trx: Trx, seriesId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${`series:${seriesId}`}, 0))`.execute(trx);
}

export async function seriesEndedAt(trx: Trx, seriesId: string): Promise<Date | null> {
  const row = await trx
    .selectFrom('recurrence_series_ends')
    .select('ended_at')
    .where('series_id', '=', seriesId)
    .executeTakeFirst();
  return row?.ended_at ?? null;
}

/**
 * The project for the next occurrence: `projectId` if it is still the user's (locked FOR KEY SHARE, so a
 * delete under way waits), null when it is gone; undefined (the Inbox, by the insert's default) when the
 * event predates projects and the task is gone too.
 */
async function projectOfNext(
  trx: Trx,
  userId: string,
  projectId: string | undefined,
): Promise<string | null | undefined> {
  if (projectId === undefined) return undefined;
  const row = await trx
    .selectFrom('projects')
    .select('id')
    .where('id', '=', projectId)
    // Still a member (sharing): a series whose owner was removed from its project ends there, as one whose
    // project was deleted does (the owner can no longer write into it).
    .where('id', 'in', visibleProjects(userId))
    .forKeyShare()
    .executeTakeFirst();
  return row?.id ?? null;
}

/**
 * A subtask's due date in the next occurrence: moved as far as the parent's moved, in calendar days and
 * time in the parent's zone (luxon's diff), then added in the subtask's own zone — so "the day before at
 * 18:00" stays the day before at 18:00 across a DST change rather than drifting an hour.
 */
export function shiftedDue(
  due: Date | null,
  timeZone: string,
  parent: { from: Date; to: Date; timeZone: string },
): Date | null {
  if (!due) return null;
  const by = DateTime.fromJSDate(parent.to, { zone: parent.timeZone }).diff(
    DateTime.fromJSDate(parent.from, { zone: parent.timeZone }),
    ['days', 'milliseconds'],
  );
  const shifted = DateTime.fromJSDate(due, { zone: timeZone }).plus(by);
  return shifted.isValid && shifted.year <= 9999 ? shifted.toJSDate() : null;
}

/**
 * The subtasks of `completedId` copied under the next occurrence `nextId`, open (done ones reset): title,
 * description, priority, tags (those the user still has), zone, and the due date shifted with the
 * parent's (shiftedDue) — reminders too, which are offsets from it. A subtask without a due date stays
 * without one. Their TaskCreated events are the caller's to enqueue, after the parent's.
 */
async function copySubtasks(
  trx: Trx,
  input: { completedId: string; nextId: string; projectId: string; userId: string },
  parent: { from: Date; to: Date; timeZone: string },
): Promise<TaskOut[]> {
  const subtasks = await trx
    .selectFrom('tasks as t')
    .selectAll('t')
    .select(tagsJson.as('tags'))
    // Every subtask of the occurrence, whoever of the project's editors added it (sharing); the copies
    // are the series owner's, as the next occurrence is.
    .where('t.parent_id', '=', input.completedId)
    .orderBy('t.created_at')
    .orderBy('t.id')
    .execute();
  const copies: TaskOut[] = [];
  for (const sub of subtasks) {
    const id = randomUUID();
    const due = shiftedDue(sub.due_at, sub.time_zone, parent);
    await trx
      .insertInto('tasks')
      .values({
        id,
        user_id: input.userId,
        project_id: input.projectId,
        parent_id: input.nextId,
        // The same member does it next time (the key keeps them a member; another project: nobody).
        assignee_id: sub.project_id === input.projectId ? sub.assignee_id : null,
        title: sub.title,
        description: sub.description,
        status: 'todo',
        priority: sub.priority,
        due_at: due,
        time_zone: sub.time_zone,
        reminder_offsets: due ? sub.reminder_offsets : [],
      })
      .execute();
    // The tags still exist (task_tags goes with a deleted tag), so the ids copy as they are.
    await setTags(trx, input.userId, id, sub.tags);
    copies.push(await reload(trx, id));
  }
  return copies;
}

export interface NextOccurrenceInput {
  /**
   * The occurrence as it was completed or skipped (the TaskCompleted event's `task`; one written before
   * projects has no project_id, one before subtasks no parent_id or subtasks — its subtasks are read from
   * the database either way).
   */
  completed: Omit<TaskOut, 'project_id' | 'parent_id' | 'subtasks' | 'assignee_id'> & { project_id?: string };
  userId: string;
  source: string;
}

/**
 * Creates the occurrence that follows `completed` as a new todo task (same title, description,
 * priority, tags, reminders, zone, rule and mode; due = the rule's next occurrence) and records its
 * TaskCreated (task-events: reminders and audit follow it like any new task) and
 * RecurringTaskInstanceCreated (task-updates) events in the caller's transaction.
 *
 * The next occurrence is in the project the completed one is in now (archived or not), and brings the
 * completed one's subtasks along, open again (copySubtasks), each with its TaskCreated. Returns null —
 * and writes nothing — when the task is not recurring, the series was ended, its project was deleted
 * (with its tasks: the series went with it), COUNT or UNTIL has run out, or a next occurrence of
 * `completed` already exists (the unique `previous_occurrence_id` is the natural key that makes
 * duplicate and concurrent completions harmless).
 */
export async function createNextOccurrence(trx: Trx, input: NextOccurrenceInput): Promise<TaskOut | null> {
  const { completed, userId, source } = input;
  if (!completed.series_id || !completed.recurrence || !completed.due_at) return null;
  await lockSeries(trx, completed.series_id);
  if (await seriesEndedAt(trx, completed.series_id)) return null;
  const stored = await trx
    .selectFrom('tasks')
    .select(['occurrence_number', 'due_local', 'project_id', 'assignee_id'])
    .where('id', '=', completed.id)
    .executeTakeFirst();
  const project = await projectOfNext(trx, userId, stored?.project_id ?? completed.project_id);
  if (project === null) return null;
  const next = nextDue({
    rule: completed.recurrence.rule,
    mode: completed.recurrence.mode,
    dueAt: new Date(completed.due_at),
    dueLocal: stored?.due_local ?? null,
    timeZone: completed.time_zone,
    occurrenceNumber: stored?.occurrence_number ?? 1,
    completedAt: new Date(completed.completed_at ?? Date.now()),
  });
  if (!next) return null;

  const id = randomUUID();
  const inserted = await trx
    .insertInto('tasks')
    .values({
      id,
      user_id: userId,
      project_id: project,
      // The next occurrence stays with the same member, while it stays in the same project.
      assignee_id: stored && stored.project_id === project ? stored.assignee_id : null,
      title: completed.title,
      description: completed.description,
      status: 'todo',
      priority: completed.priority,
      due_at: next.dueAt,
      due_local: next.dueLocal,
      time_zone: completed.time_zone,
      recurrence_rule: completed.recurrence.rule,
      recurrence_mode: completed.recurrence.mode,
      series_id: completed.series_id,
      occurrence_number: next.occurrenceNumber,
      previous_occurrence_id: completed.id,
      reminder_offsets: completed.reminders,
    })
    .onConflict((oc) => oc.doNothing())
    .returning(['id', 'project_id'])
    .executeTakeFirst();
  if (!inserted) return null;

  // Tags by id, keeping only those the user still has (one may have been deleted since).
  const tagIds = completed.tags.map((t) => t.id);
  const tags = tagIds.length
    ? await trx
        .selectFrom('tags')
        .select(['id', 'name'])
        .where('user_id', '=', userId)
        .where('id', 'in', tagIds)
        .execute()
    : [];
  await setTags(trx, userId, id, tags);
  const subtasks = await copySubtasks(
    trx,
    { completedId: completed.id, nextId: id, projectId: inserted.project_id, userId },
    { from: new Date(completed.due_at), to: next.dueAt, timeZone: completed.time_zone },
  );
  const task = await reload(trx, id);
  await enqueueEvent(
    trx,
    'TaskCreated.v1',
    { task, previous: null, user_id: userId },
    { source, subject: id },
  );
  await enqueueEvent(
    trx,
    'RecurringTaskInstanceCreated.v1',
    { user_id: userId, series_id: completed.series_id, previous_task_id: completed.id, task },
    { source, subject: id },
  );
  for (const sub of subtasks) {
    await enqueueEvent(
      trx,
      'TaskCreated.v1',
      { task: sub, previous: null, user_id: userId },
      { source, subject: sub.id },
    );
  }
  return task;
}
