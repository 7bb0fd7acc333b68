import { armRecurringJob, ClockJobData, dispatchByKind } from '@todo/core';
import { retentionJob, retentionPolicy, runRetention } from '@todo/core/runtime/retention';
import { fireReminder } from './fire-reminder.ts';

/**
 * The clock's dispatch table: one handler per `kind` of job data (ClockJobData, a discriminated union).
 * A new kind of scheduled work is one member of that union, one entry here, and a producer calling the
 * JobScheduler port with data of that kind; the job's name is only its identity.
 */
export const clockJobs = dispatchByKind(ClockJobData, {
  /** `reminder-<taskId>-<offset>`, scheduled by schedule-reminder. */
  reminder: (data, deps) => fireReminder(deps, data),
  /** `snooze-<taskId>`, scheduled by the notifications function's snooze. */
  snooze: (data, deps) => fireReminder(deps, data),
  /**
   * `retention-<slot>`, recurring (clock-jobs.ts RecurringJob): arms the next slot first, so a run that
   * fails (and is retried by the scheduler) does not end the chain, then deletes what is past retention.
   */
  retention: async (_data, deps, name) => {
    await armRecurringJob(deps.jobs, retentionJob(deps.config), new Date(), name);
    return runRetention(deps.db, retentionPolicy(deps.config));
  },
});
