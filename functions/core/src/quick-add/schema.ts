import { z } from 'zod';
import { Priority, RecurrenceMode, TaskOut, TimeZone, text } from '../schemas.ts';

/** POST /api/v1/quick-add/parse and POST /api/v1/quick-add. */
export const QuickAddRequest = z.strictObject({
  text: text().trim().min(1, 'type what the task is').max(1000),
  /** Defaults to the user's time zone. */
  time_zone: TimeZone.optional(),
});
export type QuickAddRequest = z.infer<typeof QuickAddRequest>;

/** What a line of text means as a task; `notes` explain guesses and anything left out. */
export const QuickAddParse = z.object({
  title: z.string(),
  due_at: z.string().nullable(),
  time_zone: z.string(),
  recurrence: z.object({ rule: z.string(), mode: RecurrenceMode }).nullable(),
  reminders: z.array(z.number().int()),
  tags: z.array(z.string()),
  priority: Priority,
  notes: z.array(z.string()),
});
export type QuickAddParse = z.infer<typeof QuickAddParse>;

/** POST /api/v1/quick-add: the task created, with the parse's notes. */
export const QuickAddCreated = TaskOut.extend({ notes: z.array(z.string()) });
