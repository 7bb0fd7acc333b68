import { z } from 'zod';
import { Priority, TagOut, TaskOut, TimeZone } from '../schemas.ts';

/**
 * Request and response shapes of the Today and Upcoming views (functions/agenda); the catalog's routes
 * carry them, so the OpenAPI document, the fuzzing tier and the web's generated types get them too.
 */

/** A calendar day in the view's zone, `YYYY-MM-DD`. */
const LocalDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);

export const AgendaTodayQuery = z.strictObject({
  /** The zone whose calendar day is "today"; defaults to the user's. */
  time_zone: TimeZone.optional(),
});

export const AgendaToday = z.object({
  /** Today in `time_zone`. */
  date: LocalDate,
  time_zone: z.string(),
  /** Open tasks due before today began (the oldest first). */
  overdue: z.array(TaskOut),
  /** Open tasks due today, earlier ones first (also those whose time today has already passed). */
  today: z.array(TaskOut),
  /** True when a list was cut at its limit (listTasks with `overdue` or `due_from`/`due_to` has the rest). */
  truncated: z.boolean(),
});
export type AgendaToday = z.infer<typeof AgendaToday>;

export const AgendaUpcomingQuery = z.strictObject({
  /** How many days, today the first of them. */
  days: z.coerce.number().int().min(1).max(31).default(7),
  time_zone: TimeZone.optional(),
});
export type AgendaUpcomingQuery = z.infer<typeof AgendaUpcomingQuery>;

/** An occurrence of a recurring task the rule will create but that is not a task yet. */
export const AgendaOccurrence = z.object({
  series_id: z.uuid(),
  /** The stored occurrence it would follow (the series' open one): open it to see or change the series. */
  task_id: z.uuid(),
  title: z.string(),
  priority: Priority,
  tags: z.array(TagOut),
  due_at: z.string(),
  /** The wall-clock due in the series' zone, `YYYY-MM-DDTHH:mm:ss`. */
  due_local: z.string(),
  /** The series' zone (the day it is listed under is the view's). */
  time_zone: z.string(),
});
export type AgendaOccurrence = z.infer<typeof AgendaOccurrence>;

export const AgendaDay = z.object({
  date: LocalDate,
  /** Open tasks due that day, by due time. */
  tasks: z.array(TaskOut),
  /** Occurrences not created yet that fall on that day, by due time. */
  occurrences: z.array(AgendaOccurrence),
});
export type AgendaDay = z.infer<typeof AgendaDay>;

export const AgendaUpcoming = z.object({
  time_zone: z.string(),
  /** Every day of the range in order, an empty one included. */
  days: z.array(AgendaDay),
  /**
   * True when something may be missing: more tasks than the limit, more recurring series or occurrences
   * than are projected, or a rule whose expansion ran out of the request's work budget.
   */
  truncated: z.boolean(),
});
export type AgendaUpcoming = z.infer<typeof AgendaUpcoming>;
