import { z } from 'zod';
import { api } from './api';

/** The recurrence service's preview: a sentence ("every weekday at 08:45") and the next dates. */
export const RecurrencePreview = z
  .object({
    text: z.string().optional(),
    description: z.string().optional(),
    next: z.array(z.string()).optional(),
    occurrences: z.array(z.string()).optional(),
  })
  .loose()
  .transform((p) => ({ text: p.text ?? p.description ?? '', next: p.next ?? p.occurrences ?? [] }));
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
