import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/types.ts';
import { reminderRecipientOf } from '../reminders/recipient.ts';

/** Reads of the users table that more than one function needs. */

/** The zone a user's dates are read in: the one they asked for, else their profile's (UTC if unknown). */
export async function userTimeZone(db: Kysely<Database>, userId: string, asked?: string): Promise<string> {
  if (asked) return asked;
  const row = await db.selectFrom('users').select('time_zone').where('id', '=', userId).executeTakeFirst();
  return row?.time_zone ?? 'UTC';
}

/**
 * Who a reminder of `taskId` goes to, read from the database rather than the event: the task must exist
 * and ring for that user (its assignee, else its creator: reminders/recipient.ts), and the title is the task's own, so an event can neither reach another account nor
 * choose the text of a message. `time_zone` is the task's zone, else the user's.
 */
export async function reminderRecipient(db: Kysely<Database>, userId: string, taskId: string) {
  const row = await db
    .selectFrom('users')
    .innerJoin('tasks', (j) =>
      j.on('tasks.id', '=', taskId).on(reminderRecipientOf(), '=', sql.ref('users.id')),
    )
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

/** What a session answer shows of an account (`GET /auth/me`). */
export interface Account {
  id: string;
  email: string;
  time_zone: string;
  email_verified_at: Date | null;
}
const ACCOUNT_COLUMNS = ['id', 'email', 'time_zone', 'email_verified_at'] as const;

/**
 * A new account, or undefined when the email (case-insensitively) is taken. Its Inbox project is created
 * by the same statement (the users_create_inbox trigger, migration 20261202_1700), so an account never
 * exists without one, whoever inserts it.
 */
export function insertAccount(
  db: Kysely<Database>,
  values: { email: string; password_hash: string; time_zone: string },
): Promise<Account | undefined> {
  return db
    .insertInto('users')
    .values(values)
    .onConflict((oc) => oc.expression(sql`lower(email)`).doNothing())
    .returning(ACCOUNT_COLUMNS)
    .executeTakeFirst();
}

export function findAccount(db: Kysely<Database>, id: string): Promise<Account | undefined> {
  return db.selectFrom('users').select(ACCOUNT_COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** The account with its password hash, by id or by email (lower-cased by the caller). */
export function findAccountWithHash(db: Kysely<Database>, by: { id: string } | { email: string }) {
  const query = db.selectFrom('users').select([...ACCOUNT_COLUMNS, 'password_hash']);
  return (
    'id' in by ? query.where('id', '=', by.id) : query.where(sql<string>`lower(email)`, '=', by.email)
  ).executeTakeFirst();
}

/**
 * Stores a new password hash. With `replacing`, only if the stored hash is still that one (a rehash on
 * log-in must not overwrite a password changed meanwhile).
 */
export async function setPasswordHash(
  db: Kysely<Database>,
  userId: string,
  password_hash: string,
  replacing?: string,
): Promise<void> {
  let update = db.updateTable('users').set({ password_hash }).where('id', '=', userId);
  if (replacing !== undefined) update = update.where('password_hash', '=', replacing);
  await update.execute();
}

/**
 * Marks the address verified (and, with a reset, sets the password), but only while the account's
 * address is still the one the link was mailed to: a link proves that address, not whatever it is now.
 * Returns whether a row changed.
 */
export async function proveAddress(
  db: Kysely<Database>,
  userId: string,
  mailedTo: string,
  newPasswordHash?: string,
): Promise<boolean> {
  const row = await db
    .updateTable('users')
    .set({
      email_verified_at: sql`coalesce(email_verified_at, now())`,
      ...(newPasswordHash ? { password_hash: newPasswordHash } : {}),
    })
    .where('id', '=', userId)
    .where(sql<string>`lower(email)`, '=', mailedTo.toLowerCase())
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}
