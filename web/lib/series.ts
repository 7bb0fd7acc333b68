import { z } from 'zod';
import { Task } from './types';

/** A recurring series as the recurrence API returns it: the rule, the tasks so far, the dates to come. */
export const Upcoming = z
  .union([
    z.string().transform((due_at) => ({ due_at, skipped: false })),
    z.object({ due_at: z.string(), skipped: z.boolean().optional().default(false) }).loose(),
  ])
  .pipe(z.object({ due_at: z.string(), skipped: z.boolean() }).loose());

export const Series = z
  .object({
    id: z.string(),
    rule: z.string().optional(),
    text: z.string().optional(),
    time_zone: z.string().optional(),
    ended_at: z.string().nullish(),
    past: z.array(Task).default([]),
    upcoming: z.array(Upcoming).default([]),
  })
  .loose();
export type Series = z.infer<typeof Series>;
