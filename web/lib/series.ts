import { z } from 'zod';
import { Task } from './types';

/** A recurring series as the series API returns it: every occurrence so far, and the next ones projected. */
export const Occurrence = Task.extend({
  occurrence_number: z.number(),
  skipped_at: z.string().nullable(),
  state: z.enum(['open', 'done', 'skipped']),
});
export type Occurrence = z.infer<typeof Occurrence>;

export const Series = z.object({
  series_id: z.string(),
  time_zone: z.string(),
  recurrence: z
    .object({ rule: z.string(), mode: z.enum(['schedule', 'completion']), text: z.string() })
    .nullable(),
  ended_at: z.string().nullable(),
  occurrences: z.array(Occurrence),
  upcoming: z.array(z.object({ due_at: z.string(), due_local: z.string(), occurrence_number: z.number() })),
});
export type Series = z.infer<typeof Series>;
