import type { Context } from 'hono';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { z } from 'zod';
import { type AuthUser, requireUser } from './auth.ts';
import type { Config } from './config.ts';
import type { Database } from './db/types.ts';
import { ProblemError, problemHandler, validationProblem } from './errors.ts';
import type { Logger } from './log.ts';
import type { JobScheduler } from './ports.ts';

/** What every function gets from its runner: the database, settings, the token secret and a logger. */
export interface FunctionDeps {
  db: Kysely<Database>;
  config: Config;
  jwtSecret: string;
  log: Logger;
  /** Flipped by the runner on SIGTERM so /readyz turns away new traffic while requests drain. */
  lifecycle?: { draining: boolean };
  /**
   * Where jobs go (snoozing schedules one): the container runner passes the clock's `/jobs` client; the
   * embedded runner leaves it out and jobs go to its own table.
   */
  jobs?: JobScheduler;
}

export type AppEnv = { Variables: { user: AuthUser } };

export interface FunctionAppOptions {
  /** Routes under /api that need no token (sign-up, log-in, the OpenAPI document). */
  publicPaths?: string[];
}

/**
 * The base every function builds on: problem+json errors, 1 MB body limit, health endpoints and bearer
 * auth on /api routes. Each function adds its own routes to the app this returns.
 */
export function createFunctionApp(name: string, deps: FunctionDeps, options: FunctionAppOptions = {}) {
  const app = new Hono<AppEnv>();
  const publicPaths = new Set(options.publicPaths ?? []);
  const authenticate = requireUser(deps.jwtSecret);
  app.onError(problemHandler((msg, err) => deps.log.error(msg, { fn: name, err })));
  app.notFound((c) => {
    throw new ProblemError(404, 'Not Found', `No route for ${c.req.method} ${c.req.path}`);
  });
  app.get('/healthz', (c) => c.json({ status: 'ok', function: name }));
  app.get('/readyz', async (c) => {
    if (deps.lifecycle?.draining) return c.json({ status: 'draining' }, 503);
    await sql`select 1`.execute(deps.db);
    return c.json({ status: 'ready', function: name });
  });
  app.use(
    '/api/*',
    bodyLimit({
      maxSize: 1024 * 1024,
      onError: () => {
        throw new ProblemError(413, 'Payload Too Large', 'Request bodies are limited to 1 MB');
      },
    }),
  );
  app.use('/api/*', async (c, next) => (publicPaths.has(c.req.path) ? next() : authenticate(c, next)));
  return app;
}

/** Parses a JSON body against a schema; malformed JSON and schema failures are both a 400 naming the field. */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await c.req.text());
  } catch {
    throw new ProblemError(400, 'Invalid request', 'body: must be a JSON document', [
      { field: 'body', message: 'must be a JSON document' },
    ]);
  }
  return validate('body', schema, raw);
}

/** Query strings: repeated keys (`?priority=high&priority=low`) are treated like `priority=high,low`. */
export function readQuery<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  const all = c.req.queries();
  const flat = Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.join(',')]));
  return validate('query', schema, flat);
}

export function readParams<S extends z.ZodType>(c: Context, schema: S): z.infer<S> {
  return validate('path', schema, c.req.param());
}

export function validate<S extends z.ZodType>(where: string, schema: S, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw validationProblem(where, result.error);
  return result.data;
}
