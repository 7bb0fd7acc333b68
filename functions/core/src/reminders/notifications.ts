import type { Selectable } from 'kysely';
import { z } from 'zod';
import type { NotificationsTable } from '../db/types.ts';
import { NotificationChannel } from '../enums.ts';
import { text } from '../schemas.ts';

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

export function toNotificationJson(row: Selectable<NotificationsTable>): NotificationOut {
  return {
    id: row.id,
    task_id: row.task_id,
    occurrence_key: row.occurrence_key,
    channel: row.channel,
    title: row.title,
    body: row.body,
    created_at: row.created_at.toISOString(),
    read_at: row.read_at ? row.read_at.toISOString() : null,
    snoozed_until: row.snoozed_until ? row.snoozed_until.toISOString() : null,
  };
}
