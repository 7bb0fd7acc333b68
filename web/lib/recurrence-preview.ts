import { z } from 'zod';
import { api } from './api';

/** The recurrence service's preview: a sentence ("every weekday at 08:45") and the next dates. */
export const RecurrencePreview = z
  .object({
    rule: z.string(),
    text: z.string(),
    time_zone: z.string(),
    occurrences: z.array(z.object({ due_at: z.string(), due_local: z.string() })),
  })
  .transform((p) => ({ text: p.text, next: p.occurrences.map((o) => o.due_at) }));
export type RecurrencePreview = z.output<typeof RecurrencePreview>;

export function fetchRecurrencePreview(
  token: string,
  rule: string,
  dueAt: string,
  timeZone: string,
  count = 5,
): Promise<RecurrencePreview> {
  return api('/recurrence/preview', RecurrencePreview, {
    token,
    query: { rule, due_at: dueAt, time_zone: timeZone, count: String(count) },
  });
}
