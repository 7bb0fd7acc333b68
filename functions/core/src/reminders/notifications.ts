import { type Kysely, type Selectable, sql } from 'kysely';
import { z } from 'zod';
import type { Database, NotificationsTable } from '../db/types.ts';
import { NotificationChannel } from '../enums.ts';
import { decodeCursor, encodeCursor } from '../runtime/cursor.ts';
import { notFound } from '../runtime/errors.ts';
import { iso } from '../runtime/time.ts';
import { isUuid, text } from '../schemas.ts';

/**
 * The in-app notification centre's shapes, and the Postgres channel that carries new notifications to
 * the always-on `live` function (notify may be scaled to zero by the time a browser needs the push).
 */

export const LIVE_NOTIFICATIONS_CHANNEL = 'notifications_live';

export const NotificationOut = z.object({
  id: z.uuid(),
  task_id: z.uuid(),
  occurrence_key: z.string(),
  channel: NotificationChannel,
  title: z.string(),
  body: z.string(),
  created_at: z.string(),
  read_at: z.string().nullable(),
  snoozed_until: z.string().nullable(),
});
export type NotificationOut = z.infer<typeof NotificationOut>;

export const NotificationPage = z.object({
  items: z.array(NotificationOut),
  unread_count: z.number().int(),
  next_cursor: z.string().nullable(),
});

export const ListNotificationsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  unread: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional(),
  /** The created_at/id of the last item of the previous page, as returned in next_cursor. */
  cursor: text().max(200).optional(),
});
export type ListNotificationsQuery = z.infer<typeof ListNotificationsQuery>;

export const SnoozeBody = z.strictObject({
  minutes: z
    .number()
    .int()
    .min(1, 'snooze for at least 1 minute')
    .max(7 * 24 * 60, 'snooze for at most 7 days'),
});

/** What notify sends through pg_notify; kept small (NOTIFY payloads stop at 8,000 bytes). */
export const LiveNotification = z.object({ user_id: z.uuid(), notification: NotificationOut });
export type LiveNotification = z.infer<typeof LiveNotification>;

export type NotificationRow = Selectable<NotificationsTable>;

export function toNotificationJson(row: NotificationRow): NotificationOut {
  return {
    id: row.id,
    task_id: row.task_id,
    occurrence_key: row.occurrence_key,
    channel: row.channel,
    title: row.title,
    body: row.body,
    created_at: iso(row.created_at),
    read_at: iso(row.read_at),
    snoozed_until: iso(row.snoozed_until),
  };
}

/**
 * The notifications table's reads and writes. Every one is scoped to a user, so another user's ids are
 * simply not found.
 */

/**
 * Records one notification of an occurrence and pushes it to `live` in the same transaction; undefined
 * when that occurrence's notification on that channel exists already (the unique key is the claim).
 */
export async function insertNotification(
  trx: Kysely<Database>,
  n: {
    user_id: string;
    task_id: string;
    occurrence_key: string;
    channel: z.infer<typeof NotificationChannel>;
    title: string;
    body: string;
  },
): Promise<NotificationRow | undefined> {
  const row = await trx
    .insertInto('notifications')
    .values({
      user_id: n.user_id,
      task_id: n.task_id,
      occurrence_key: n.occurrence_key,
      channel: n.channel,
      title: n.title,
      body: n.body,
    })
    .onConflict((oc) => oc.columns(['task_id', 'occurrence_key', 'channel']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) return undefined;
  const live: LiveNotification = { user_id: n.user_id, notification: toNotificationJson(row) };
  await sql`select pg_notify(${LIVE_NOTIFICATIONS_CHANNEL}, ${JSON.stringify(live)})`.execute(trx);
  return row;
}

/** The caller's notification, or a 404. */
export async function findNotification(
  db: Kysely<Database>,
  userId: string,
  id: string,
): Promise<NotificationRow> {
  const row = await db
    .selectFrom('notifications')
    .selectAll()
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  if (!row) throw notFound('Notification');
  return row;
}

/** A page cursor: the created_at (ISO, ms) and id of the last item, as encodeCursor wrote them. */
const PageCursor = z.tuple([
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    .refine((s) => !Number.isNaN(Date.parse(s))),
  z.string().refine(isUuid),
]);

/** Newest first, with the caller's unread count. */
export async function notificationPage(
  db: Kysely<Database>,
  userId: string,
  q: ListNotificationsQuery,
): Promise<z.infer<typeof NotificationPage>> {
  let query = db
    .selectFrom('notifications')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(q.limit + 1);
  if (q.unread) query = query.where('read_at', 'is', null);
  if (q.cursor) {
    const [createdAt, id] = decodeCursor(q.cursor, PageCursor, 'not a cursor this API issued');
    query = query.where((eb) =>
      eb.or([
        eb('created_at', '<', new Date(createdAt)),
        eb.and([eb('created_at', '=', new Date(createdAt)), eb('id', '<', id)]),
      ]),
    );
  }
  const [rows, unread] = await Promise.all([
    query.execute(),
    db
      .selectFrom('notifications')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('user_id', '=', userId)
      .where('read_at', 'is', null)
      .executeTakeFirstOrThrow(),
  ]);
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map(toNotificationJson),
    unread_count: Number(unread.n),
    next_cursor: rows.length > q.limit && last ? encodeCursor([iso(last.created_at), last.id]) : null,
  };
}

/** Marks a notification read (keeping the first read time); `snoozedUntil` also records a snooze. */
export function markNotificationRead(
  db: Kysely<Database>,
  row: NotificationRow,
  snoozedUntil?: Date,
): Promise<NotificationRow> {
  return db
    .updateTable('notifications')
    .set({ read_at: row.read_at ?? new Date(), ...(snoozedUntil && { snoozed_until: snoozedUntil }) })
    .where('id', '=', row.id)
    .where('user_id', '=', row.user_id)
    .returningAll()
    .executeTakeFirstOrThrow();
}
