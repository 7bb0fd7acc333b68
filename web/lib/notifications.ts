import { z } from 'zod';

/** An in-app notification (a reminder that fired), as the notifications API returns it. */
export const AppNotification = z
  .object({
    id: z.string(),
    task_id: z.string().nullish(),
    title: z.string(),
    body: z.string().nullish(),
    created_at: z.string(),
    read_at: z.string().nullish(),
    snoozed_until: z.string().nullish(),
    late_ms: z.number().nullish(),
  })
  .loose();
export type AppNotification = z.infer<typeof AppNotification>;

export const NotificationList = z
  .object({ items: z.array(AppNotification), unread_count: z.number().optional() })
  .loose();

/** A reminder's delivery receipt: scheduled → fired → sent, per channel, with lateness. */
export const ReminderReceipt = z
  .object({
    id: z.string().optional(),
    occurrence_key: z.string().optional(),
    channel: z.string(),
    status: z.string(),
    scheduled_for: z.string(),
    fired_at: z.string().nullish(),
    sent_at: z.string().nullish(),
    lateness_ms: z.number().nullish(),
    detail: z.string().nullish(),
  })
  .loose();
export type ReminderReceipt = z.infer<typeof ReminderReceipt>;
export const ReceiptList = z.object({ items: z.array(ReminderReceipt) }).loose();
