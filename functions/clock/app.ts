import { createClockApp, type EventDeps, type JobHandler } from '@todo/core';
import { clockJobs } from './job-handlers.ts';

/**
 * clock: the one always-on function (minReplicas 1). Dapr fires a job only back to the app-id that
 * scheduled it, so every job is scheduled on the clock's app-id and lands here as `POST /job/<name>`
 * with its data; reminders become ReminderDue events through the outbox. Replies: 2xx = done,
 * 404 = done and never retry (unknown kind, or data failing its schema), 5xx = retry (database down).
 */
export function clockApp(deps: EventDeps, jobs: JobHandler = clockJobs) {
  return createClockApp('clock', deps, jobs);
}

export default clockApp;
