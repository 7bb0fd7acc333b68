import { INTERNAL_KEY_HEADER, isInternalKey, JobRequest } from './clock-jobs.ts';
import { unwrapJobData } from './dapr.ts';
import { ProblemError } from './errors.ts';
import type { EventDeps } from './event-app.ts';
import { createFunctionApp, readBody } from './http.ts';

/** Handles one fired job. Throwing asks for a retry (Dapr's failure policy, or the local runner's backoff). */
export type JobHandler = (job: { name: string; data: unknown }, deps: EventDeps) => Promise<void>;

/**
 * The clock's app: `POST /job/<name>` dispatches by job-name prefix (`reminder-…` → the reminder
 * handler) and must return fast; an unknown name is a 404, which Dapr treats as done (no retry). Also
 * `POST`/`DELETE /jobs/<name>`: other functions schedule and delete jobs here (clock-jobs.ts), because a
 * Dapr job fires only back to the app-id that scheduled it and only the clock is always up. Those two
 * routes answer only callers holding the internal key (derived from the shared JWT secret); `/job/<name>`
 * only daprd (or the local job runner), which sends the app API token.
 */
export function createClockApp(name: string, deps: EventDeps, handlers: Record<string, JobHandler>) {
  const app = createFunctionApp(name, deps, { selfAuthenticatedPrefixes: ['/jobs/'] });
  const prefixes = Object.keys(handlers).sort((a, b) => b.length - a.length);

  app.post('/job/:name', async function fireJob(c) {
    const jobName = c.req.param('name');
    const prefix = prefixes.find((p) => jobName.startsWith(p));
    if (prefix === undefined) {
      deps.log.warn('job fired with no handler; dropping it', { job: jobName });
      return c.json({ status: 'unknown job' }, 404);
    }
    const text = await c.req.text();
    let data: unknown;
    try {
      data = unwrapJobData(text ? JSON.parse(text) : null);
    } catch {
      throw new ProblemError(400, 'Invalid job data', 'body: must be a JSON document');
    }
    await handlers[prefix]!({ name: jobName, data }, deps);
    return c.json({ status: 'done' });
  });

  app.use('/jobs/*', async (c, next) => {
    if (!isInternalKey(deps.jwtSecret, c.req.header(INTERNAL_KEY_HEADER)))
      throw new ProblemError(401, 'Unauthorized', 'the jobs endpoint is for the product’s own functions');
    await next();
  });
  app.post('/jobs/:name', async function scheduleJob(c) {
    const body = await readBody(c, JobRequest);
    await deps.jobs.schedule({ name: c.req.param('name'), dueTime: new Date(body.dueTime), data: body.data });
    return c.body(null, 204);
  });
  app.delete('/jobs/:name', async function removeJob(c) {
    await deps.jobs.remove(c.req.param('name'));
    return c.body(null, 204);
  });
  return app;
}
