import type { Kysely } from 'kysely';
import type { Database } from '../db/types.ts';

/** Reads of the users table that more than one function needs. */

/** The zone a user's dates are read in: the one they asked for, else their profile's (UTC if unknown). */
export async function userTimeZone(db: Kysely<Database>, userId: string, asked?: string): Promise<string> {
  if (asked) return asked;
  const row = await db.selectFrom('users').select('time_zone').where('id', '=', userId).executeTakeFirst();
  return row?.time_zone ?? 'UTC';
}

/**
 * Who a reminder of `taskId` goes to, read from the database rather than the event: the task must exist
 * and be that user's, and the title is the task's own, so an event can neither reach another account nor
 * choose the text of a message. `time_zone` is the task's zone, else the user's.
 */
export async function reminderRecipient(db: Kysely<Database>, userId: string, taskId: string) {
  const row = await db
    .selectFrom('users')
    .innerJoin('tasks', (j) => j.on('tasks.id', '=', taskId).onRef('tasks.user_id', '=', 'users.id'))
    .select([
      'users.email',
      'users.email_verified_at',
      'users.time_zone as user_zone',
      'tasks.time_zone as task_zone',
      'tasks.title',
    ])
    .where('users.id', '=', userId)
    .executeTakeFirst();
  if (!row) return undefined;
  const { user_zone, task_zone, ...rest } = row;
  return { ...rest, time_zone: task_zone ?? user_zone };
}
