import { createClockApp, type EventDeps, type JobHandler } from '@todo/core';

/**
 * Job-name prefix → handler. Names are deterministic (`reminder-<taskId>-<offset>`, `recur-<seriesId>`),
 * so a prefix says what fell due. Add a line per kind of job; an unknown name is a 404 (done, no retry).
 */
export const jobHandlers: Record<string, JobHandler> = {};

/** clock: the always-on function that owns every Dapr job and turns fired jobs into events. */
export default function clockApp(deps: EventDeps) {
  return createClockApp('clock', deps, jobHandlers);
}
