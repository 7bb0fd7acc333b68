import { createHash, createHmac } from 'node:crypto';
import type { Database } from '@todo/core';
import { visibleProjects } from '@todo/core/projects/access';
import { type Kysely, sql } from 'kysely';
import type { FeedTask } from './feed.ts';

/**
 * The secret in a feed's address. It is 32 bytes of HMAC-SHA256 under a key derived from the server's
 * secret, over the user and the feed's creation instant — as unguessable as 32 random bytes to anyone
 * without the key, yet the account page can show the address again later, while the table holds only
 * its SHA-256 (a copy of the database opens no feed). Regenerating gives a new creation instant, so a
 * new token, and replaces the hash: the old address stops working at once.
 */
export function feedToken(serverSecret: string, userId: string, createdAt: Date): string {
  const key = createHmac('sha256', serverSecret).update('todo calendar-feed token v1').digest();
  return createHmac('sha256', key).update(`${userId}\n${createdAt.toISOString()}`).digest('base64url');
}

export const hashFeedToken = (token: string) => createHash('sha256').update(token).digest('base64url');

export interface FeedRecord {
  /** Null when the server secret has changed since: the address still works, but cannot be shown. */
  token: string | null;
  created_at: Date;
}

export async function getFeed(
  db: Kysely<Database>,
  serverSecret: string,
  userId: string,
): Promise<FeedRecord | null> {
  const row = await db
    .selectFrom('calendar_feeds')
    .select(['token_hash', 'created_at'])
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!row) return null;
  const token = feedToken(serverSecret, userId, row.created_at);
  return { token: hashFeedToken(token) === row.token_hash ? token : null, created_at: row.created_at };
}

/**
 * Creates the user's feed, or replaces it. The user's row is locked (NO KEY UPDATE, which task inserts'
 * foreign-key checks do not wait for) so two concurrent requests cannot each hand out an address of
 * which only one is stored; each new creation instant is after the last, so every regeneration is a new
 * token even within one millisecond.
 */
export async function regenerateFeed(
  db: Kysely<Database>,
  serverSecret: string,
  userId: string,
): Promise<{ token: string; created_at: Date }> {
  return db.transaction().execute(async (trx) => {
    await sql`select 1 from users where id = ${userId} for no key update`.execute(trx);
    const previous = await trx
      .selectFrom('calendar_feeds')
      .select('created_at')
      .where('user_id', '=', userId)
      .executeTakeFirst();
    const createdAt = new Date(Math.max(Date.now(), (previous?.created_at.getTime() ?? 0) + 1));
    const token = feedToken(serverSecret, userId, createdAt);
    await trx
      .insertInto('calendar_feeds')
      .values({ user_id: userId, token_hash: hashFeedToken(token), created_at: createdAt })
      .onConflict((oc) =>
        oc.column('user_id').doUpdateSet({ token_hash: hashFeedToken(token), created_at: createdAt }),
      )
      .execute();
    return { token, created_at: createdAt };
  });
}

export async function revokeFeed(db: Kysely<Database>, userId: string): Promise<void> {
  await db.deleteFrom('calendar_feeds').where('user_id', '=', userId).execute();
}

/**
 * Whose feed a token opens, or null. An unknown token and a revoked or replaced one take the same path:
 * a hash and one unique-index lookup, so neither the answer nor its timing tells them apart.
 */
export async function feedOwner(db: Kysely<Database>, token: string): Promise<string | null> {
  const row = await db
    .selectFrom('calendar_feeds')
    .select('user_id')
    .where('token_hash', '=', hashFeedToken(token))
    .executeTakeFirst();
  return row?.user_id ?? null;
}

/**
 * Most a feed shows. Calendar apps slow down or give up on very large feeds (Google's limit is
 * undocumented; a few MB is where they start failing), and 2,000 events is ~1 MB. Past it the oldest
 * overdue tasks are left out: a calendar looks forward.
 */
export const MAX_FEED_TASKS = 2000;

/**
 * The user's open tasks with a due date (status todo or in progress), newest due first, tag names sorted.
 * Sharing (issue 13): the tasks the user created (not every task of the projects shared with them — a feed
 * is "my calendar"), and only in projects they are still a member of, so a removed member's feed drops
 * that project's tasks at its next refresh.
 */
export async function feedTasks(db: Kysely<Database>, userId: string): Promise<FeedTask[]> {
  const rows = await db
    .selectFrom('tasks')
    .select([
      'id',
      'title',
      'description',
      'status',
      'priority',
      'due_at',
      'time_zone',
      'recurrence_rule',
      'series_id',
      'occurrence_number',
      'due_local',
      'created_at',
      'updated_at',
    ])
    .select(
      sql<string[]>`coalesce((select array_agg(g.name order by g.name) from task_tags tt
        join tags g on g.id = tt.tag_id where tt.task_id = tasks.id), '{}')`.as('tags'),
    )
    .where('user_id', '=', userId)
    .where('project_id', 'in', visibleProjects(userId))
    .where('status', '!=', 'done')
    .where('due_at', 'is not', null)
    .orderBy('due_at', 'desc')
    .limit(MAX_FEED_TASKS)
    .execute();
  return rows.map((r) => ({ ...r, due_at: r.due_at! }));
}
