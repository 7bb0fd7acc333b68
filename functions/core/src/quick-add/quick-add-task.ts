import type { Kysely } from 'kysely';
import { userTimeZone } from '../accounts/users.ts';
import type { Database } from '../db/types.ts';
import { fieldProblem } from '../runtime/errors.ts';
import { validate } from '../runtime/http.ts';
import { TaskCreate, type TaskOut } from '../schemas.ts';
import { createTask, type WriteContext } from '../tasks/task-writes.ts';
import { parseQuickAdd } from './parse-quick-add.ts';
import type { QuickAddParse, QuickAddRequest } from './schema.ts';

/** The live preview: what the text would create, in the user's zone, saving nothing. */
export async function previewQuickAdd(
  db: Kysely<Database>,
  userId: string,
  request: QuickAddRequest,
  now = new Date(),
): Promise<QuickAddParse> {
  return parseQuickAdd(request.text, { now, timeZone: await userTimeZone(db, userId, request.time_zone) });
}

/** Parses and creates the task; a line with nothing left for a title is a 400 on `body.text`. */
export async function quickAddTask(
  ctx: WriteContext,
  request: QuickAddRequest,
  now = new Date(),
): Promise<{ task: TaskOut; parse: QuickAddParse }> {
  const parse = await previewQuickAdd(ctx.db, ctx.userId, request, now);
  if (!parse.title) {
    const message =
      'nothing is left for a title once the date, repeat and tags are read; say what the task is';
    throw fieldProblem('body.text', message);
  }
  // The parse goes through the API's own schema, so a quick-added task obeys every rule a typed-in one does.
  const input = validate('body', TaskCreate, {
    title: parse.title.slice(0, 500),
    priority: parse.priority,
    tags: parse.tags,
    due_at: parse.due_at,
    time_zone: parse.time_zone,
    recurrence: parse.recurrence,
    reminders: parse.reminders,
  });
  const task = await createTask(ctx, input);
  return { task, parse };
}
