import {
  armRecurringJob,
  type EventDeps,
  type JobHandler,
  ProblemError,
  validationProblem,
} from '@todo/core';
import type { z } from 'zod';
import { ReminderJobData } from '../core/src/reminders/reminder-plan.ts';
import { RetentionJobData, retentionJob, retentionPolicy, runRetention } from '../core/src/retention.ts';
import { fireReminder } from './fire-reminder.ts';

/**
 * A job handler whose data passes a zod schema first. Data that fails it will not get better by
 * retrying, so it is answered 404 (Dapr: done, no retry) with the fields named, and logged.
 */
export function validatedJob<S extends z.ZodType>(
  schema: S,
  run: (data: z.infer<S>, deps: EventDeps, name: string) => Promise<unknown>,
): JobHandler {
  return async function runValidatedJob(job, deps) {
    const parsed = schema.safeParse(job.data);
    if (!parsed.success) {
      const problem = validationProblem('body', parsed.error);
      deps.log.warn('dropping a job whose data fails its schema', { job: job.name, detail: problem.detail });
      throw new ProblemError(404, 'Invalid job data', problem.detail, problem.errors);
    }
    const outcome = await run(parsed.data, deps, job.name);
    deps.log.info('job ran', { job: job.name, outcome });
  };
}

/**
 * The clock's dispatch table: job-name prefix → handler. A new kind of scheduled work is one entry here
 * plus a producer calling the JobScheduler port with a name under that prefix.
 */
export const clockJobs: Record<string, JobHandler> = {
  /** `reminder-<taskId>-<offset>`, scheduled by schedule-reminder. */
  'reminder-': validatedJob(ReminderJobData, (data, deps) => fireReminder(deps, data)),
  /** `snooze-<taskId>`, scheduled by the notifications function's snooze. */
  'snooze-': validatedJob(ReminderJobData, (data, deps) => fireReminder(deps, data)),
  /**
   * `retention-<slot>`, recurring (clock-jobs.ts RecurringJob): arms the next slot first, so a run that
   * fails (and is retried by the scheduler) does not end the chain, then deletes what is past retention.
   */
  'retention-': validatedJob(RetentionJobData, async (_data, deps, name) => {
    await armRecurringJob(deps.jobs, retentionJob(deps.config), new Date(), name);
    return runRetention(deps.db, retentionPolicy(deps.config));
  }),
};
