import { z } from 'zod';
import { Instant, RecurrenceMode, RecurrenceRule, TaskOut, TimeZone } from '../schemas.ts';

/** Request and response shapes of the series API and the rule preview (the OpenAPI doc uses them too). */

export const SeriesQuery = z.strictObject({
  /** How many not-yet-created occurrences to project. */
  upcoming: z.coerce.number().int().min(0).max(50).default(5),
});

export const OccurrenceOut = TaskOut.extend({
  occurrence_number: z.number().int(),
  skipped_at: z.string().nullable(),
  state: z.enum(['open', 'done', 'skipped']),
});
export type OccurrenceOut = z.infer<typeof OccurrenceOut>;

export const ProjectedOccurrence = z.object({
  due_at: z.string(),
  /** The wall-clock due in the series' zone, `YYYY-MM-DDTHH:mm:ss`. */
  due_local: z.string(),
  occurrence_number: z.number().int(),
});

export const SeriesOut = z.object({
  series_id: z.uuid(),
  time_zone: z.string(),
  /** The rule the series follows now (null once it has ended and no occurrence carries one). */
  recurrence: z.object({ rule: z.string(), mode: RecurrenceMode, text: z.string() }).nullable(),
  ended_at: z.string().nullable(),
  /** Every occurrence that exists (done, skipped and open), oldest first. */
  occurrences: z.array(OccurrenceOut),
  /** The occurrences the rule will create next, before they exist. Empty once the series has ended. */
  upcoming: z.array(ProjectedOccurrence),
});
export type SeriesOut = z.infer<typeof SeriesOut>;

export const SkipOut = z.object({ skipped: OccurrenceOut });

export const EndSeriesOut = z.object({
  series_id: z.uuid(),
  ended_at: z.string(),
  /** The open occurrence, kept as a one-off task (its recurrence removed), if there was one. */
  open_task: TaskOut.nullable(),
});

export const RecurrencePreviewQuery = z.strictObject({
  rule: RecurrenceRule,
  /** The first occurrence's due date-time. */
  due_at: Instant,
  /** Defaults to the user's zone. */
  time_zone: TimeZone.optional(),
  /** How many dates to list, the first one (due_at) included. */
  count: z.coerce.number().int().min(1).max(50).default(5),
});

export const RecurrencePreview = z.object({
  rule: z.string(),
  text: z.string(),
  time_zone: z.string(),
  occurrences: z.array(z.object({ due_at: z.string(), due_local: z.string() })),
});
