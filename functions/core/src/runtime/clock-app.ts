import type { z } from 'zod';
import { INTERNAL_KEY_HEADER, isInternalKey, JobRequest } from './clock-jobs.ts';
import { unwrapJobData } from './dapr.ts';
import { fieldProblem, ProblemError, unauthorized, validationProblem } from './errors.ts';
import type { EventDeps } from './event-app.ts';
import { createFunctionApp, readBody, requestText } from './http.ts';

/** Handles one fired job. Throwing asks for a retry (Dapr's failure policy, or the local runner's backoff). */
export type JobHandler = (job: { name: string; data: unknown }, deps: EventDeps) => Promise<void>;

/** A schema of job data that says, in `kind`, which handler runs it. */
type KindedSchema = z.ZodType<{ kind: string }>;
type Kind<S extends KindedSchema> = z.infer<S>['kind'];

/** One handler per kind of job data, each given the data of its kind (and the job's name, its identity). */
export type JobHandlers<S extends KindedSchema> = {
  [K in Kind<S>]: (data: z.infer<S> & { kind: K }, deps: EventDeps, name: string) => Promise<unknown>;
};

/**
 * The clock's dispatch: the job's data is parsed against a discriminated union of every kind of job
 * data, and its `kind` picks the handler (the name is only the Dapr job's identity). Data that fails the
 * schema will not get better by retrying, so it is answered 404 (Dapr: done, no retry) with the fields
 * named, and logged.
 */
export function dispatchByKind<S extends KindedSchema>(schema: S, handlers: JobHandlers<S>): JobHandler {
  return async function runJob(job, deps) {
    const parsed = schema.safeParse(job.data);
    if (!parsed.success) {
      const problem = validationProblem('body', parsed.error);
      deps.log.warn('dropping a job whose data fails its schema', { job: job.name, detail: problem.detail });
      throw new ProblemError(404, problem.detail, problem.errors);
    }
    const data = parsed.data as z.infer<S>;
    const handle = handlers[data.kind as Kind<S>] as (
      d: z.infer<S>,
      deps: EventDeps,
      name: string,
    ) => Promise<unknown>;
    const outcome = await handle(data, deps, job.name);
    deps.log.info('job ran', { job: job.name, kind: data.kind, outcome });
  };
}

/**
 * The clock's app: `POST /job/<name>` hands the job to `handle` (dispatchByKind: by the data's `kind`)
 * and must return fast; data of no known kind is a 404, which Dapr treats as done (no retry). Also
 * `POST`/`DELETE /jobs/<name>`: other functions schedule and delete jobs here (clock-jobs.ts), because a
 * Dapr job fires only back to the app-id that scheduled it and only the clock is always up. Those two
 * routes answer only callers holding the internal key (derived from the shared JWT secret); `/job/<name>`
 * only daprd (or the local job runner), which sends the app API token.
 */
export function createClockApp(name: string, deps: EventDeps, handle: JobHandler) {
  const app = createFunctionApp(name, deps, { selfAuthenticatedPrefixes: ['/jobs/'] });

  app.post('/job/:name', async function fireJob(c) {
    const jobName = c.req.param('name');
    const text = await requestText(c);
    let data: unknown;
    try {
      data = unwrapJobData(text ? JSON.parse(text) : null);
    } catch {
      throw fieldProblem('body', 'must be a JSON document');
    }
    await handle({ name: jobName, data }, deps);
    return c.json({ status: 'done' });
  });

  app.use('/jobs/*', async (c, next) => {
    if (!isInternalKey(deps.jwtSecret, c.req.header(INTERNAL_KEY_HEADER)))
      throw unauthorized('the jobs endpoint is for the product’s own functions');
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
