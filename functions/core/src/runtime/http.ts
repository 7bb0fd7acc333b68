import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { TrieRouter } from 'hono/router/trie-router';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { z } from 'zod';
import { type AuthUser, requireUser } from '../accounts/auth.ts';
import { isSessionActive, sessionWithMemberships } from '../accounts/sessions.ts';
import type { Database } from '../db/types.ts';
import { APP_TOKEN_HEADER, isAppToken } from './app-token.ts';
import type { Config } from './config.ts';
import { fieldProblem, ProblemError, problemHandler, unauthorized, validationProblem } from './errors.ts';
import type { Logger } from './log.ts';
import type { JobScheduler } from './ports.ts';
import type { FunctionRoutes } from './routes.ts';

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
  /**
   * The token internal routes (events, fired jobs) require in the `dapr-api-token` header: the cluster's
   * APP_API_TOKEN (the Secret daprd's token comes from), or the embedded runner's per-process one.
   * Unset: every internal route is refused.
   */
  appToken?: string;
}

export type AppEnv = { Variables: { user: AuthUser } };

export interface FunctionAppOptions {
  /** Path prefixes outside /api whose routes check their own caller (the clock's `/jobs/`). */
  selfAuthenticatedPrefixes?: string[];
  /**
   * The operations (catalog operationIds) whose session check also reads the caller's project
   * memberships, in the same statement, onto `c.var.user.memberships`: reads scoped by them (listTasks).
   * Every other route keeps the plain session check.
   */
  readMemberships?: readonly string[];
}

/** Whether a request (method, path) is one of `operationIds`' routes, matched as the router matches them. */
function operationMatcher(
  routes: FunctionRoutes['routes'],
  operationIds: readonly string[],
): (method: string, path: string) => boolean {
  const router = new TrieRouter<true>();
  for (const route of routes)
    if (operationIds.includes(route.operationId)) router.add(route.method, route.path, true);
  return (method, path) => router.match(method, path)[0].length > 0;
}

/**
 * Whether a request path is one of the entry's `public` routes (by Hono's own path matching, so
 * `/api/v1/calendar/:token.ics` covers every token). By path, whatever the method, as the gateway
 * answers a method a path lacks before the request gets here.
 */
function publicPathMatcher(routes: FunctionRoutes['routes']): (path: string) => boolean {
  const router = new TrieRouter<true>();
  for (const route of routes) if (route.public) router.add('ALL', route.path, true);
  return (path) => router.match('ALL', path)[0].length > 0;
}

const MB = 1024 * 1024;
const DEFAULT_BODY_LIMIT = MB;

function bodyLimitOf(maxSize: number): MiddlewareHandler {
  const tooLarge = () => {
    throw new ProblemError(413, `Request bodies are limited to ${maxSize / MB} MB`);
  };
  const counted = bodyLimit({ maxSize, onError: tooLarge });
  return function limitBody(c, next) {
    const framing = bodyFraming(c.env);
    if (!framing || framing.chunked) return counted(c, next);
    return framing.length > maxSize ? tooLarge() : next();
  };
}

/** How a request's body is framed, when its sender says so: a known length, or chunks of unknown total. */
export interface BodyFraming {
  chunked: boolean;
  length: number;
}

/**
 * A request's framing, from its bindings (`c.env`), without touching its Request:
 * - off a socket, the Node adapter's IncomingMessage (`incoming`): a message has a body only with
 *   Content-Length or Transfer-Encoding (RFC 9112 §6.3), and Node has already refused a malformed length;
 * - from an in-process sender that built the body itself (local-transport.ts `postInProcess`), `framing`.
 * Undefined otherwise (a Request built in-process, as tests do), and Hono's bodyLimit counts the body.
 * Why not ask the Request: Hono's bodyLimit reads `raw.body`, and that makes the adapter build a full
 * undici Request (headers, abort signal, body stream) for every request, GETs included.
 */
export function bodyFraming(env: unknown): BodyFraming | undefined {
  const bindings = env as { incoming?: { headers?: IncomingHttpHeaders }; framing?: BodyFraming } | undefined;
  if (bindings?.framing) return bindings.framing;
  const headers = bindings?.incoming?.headers;
  return headers && socketFraming(headers);
}

/** A message's framing off a socket, from its headers. */
function socketFraming(headers: IncomingHttpHeaders): BodyFraming {
  if (headers['transfer-encoding'] !== undefined) return { chunked: true, length: 0 };
  return { chunked: false, length: Number(headers['content-length'] ?? 0) };
}

/**
 * The body limit of each request: 1 MB, or the larger one its catalog route declares (`bodyLimit`: an
 * import takes a file), matched by method and path as the route itself is.
 */
function bodyLimitMatcher(routes: FunctionRoutes['routes']) {
  const fallback = bodyLimitOf(DEFAULT_BODY_LIMIT);
  const router = new TrieRouter<MiddlewareHandler>();
  for (const route of routes)
    if (route.bodyLimit) router.add(route.method, route.path, bodyLimitOf(route.bodyLimit));
  return (method: string, path: string) => router.match(method, path)[0][0]?.[0] ?? fallback;
}

/**
 * The base every function builds on: problem+json errors, a 1 MB body limit on every route (or the
 * route's own `bodyLimit`), health endpoints, bearer auth on /api routes (except the catalog entry's
 * `public` ones) and the app API token on every other (internal) route. An HTTP function passes its catalog entry and adds its routes with
 * routeHandlers (routes.ts); an event function passes its name.
 */
export function createFunctionApp(
  spec: string | FunctionRoutes,
  deps: FunctionDeps,
  options: FunctionAppOptions = {},
) {
  const app = new Hono<AppEnv>();
  const name = typeof spec === 'string' ? spec : spec.name;
  const isPublic = publicPathMatcher(typeof spec === 'string' ? [] : spec.routes);
  // One primary-key lookup per authenticated request: a logged-out or revoked session's access tokens
  // stop working at once rather than when they expire.
  const authenticate = requireUser(deps.jwtSecret, (sid, userId) => isSessionActive(deps.db, sid, userId));
  const authenticateWithMemberships = requireUser(deps.jwtSecret, async (sid, userId) => {
    const memberships = await sessionWithMemberships(deps.db, sid, userId);
    return memberships ? { memberships } : false;
  });
  const readsMemberships = operationMatcher(
    typeof spec === 'string' ? [] : spec.routes,
    options.readMemberships ?? [],
  );
  app.onError(problemHandler((msg, err) => deps.log.error(msg, { fn: name, err })));
  app.notFound((c) => {
    throw new ProblemError(404, `No route for ${c.req.method} ${c.req.path}`);
  });
  // While draining, every response asks the client to drop its keep-alive connection, so no caller is
  // left holding a socket to a pod that is about to close it.
  app.use('*', async function closeWhileDraining(c, next) {
    await next();
    if (deps.lifecycle?.draining) c.header('Connection', 'close');
  });
  app.get('/healthz', (c) => c.json({ status: 'ok', function: name }));
  app.get('/readyz', async (c) => {
    if (deps.lifecycle?.draining) return c.json({ status: 'draining' }, 503);
    await sql`select 1`.execute(deps.db);
    return c.json({ status: 'ready', function: name });
  });
  // Deny by default: outside /api and the probes, every route is internal and needs the app token.
  const selfAuthenticated = options.selfAuthenticatedPrefixes ?? [];
  app.use('*', async function requireAppToken(c, next) {
    const path = c.req.path;
    const open =
      path.startsWith('/api/') ||
      path === '/healthz' ||
      path === '/readyz' ||
      selfAuthenticated.some((p) => path.startsWith(p));
    if (!open && !isAppToken(deps.appToken, c.req.header(APP_TOKEN_HEADER)))
      throw unauthorized('internal route: send the app API token');
    await next();
  });
  const limitOf = bodyLimitMatcher(typeof spec === 'string' ? [] : spec.routes);
  app.use('*', function limitBody(c, next) {
    return limitOf(c.req.method, c.req.path)(c, next);
  });
  app.use('/api/*', async (c, next) => {
    if (isPublic(c.req.path)) return next();
    const check = readsMemberships(c.req.method, c.req.path) ? authenticateWithMemberships : authenticate;
    return check(c, next);
  });
  return app;
}

/**
 * A request's body as text, read once (Hono's body cache keeps it for any later `c.req.json()` or
 * `c.req.text()`). Off a socket with a Content-Length — which the body limit has already checked, and
 * to which Node holds the message — it is read straight from the adapter's IncomingMessage: `c.req.text()`
 * makes the Node adapter build an undici Request and a web stream over the message first. Anything else
 * (chunked, whose limit counts as the stream is read; a Request built in-process) goes through Hono.
 */
export function requestText(c: Context): Promise<string> {
  const { incoming, framing } = (c.env ?? {}) as { incoming?: IncomingMessage; framing?: BodyFraming };
  // What Hono keeps there at run time: its declared type says the body, it stores the body's promise.
  const cache = c.req.bodyCache as { text?: Promise<string> };
  const offSocket = incoming && !framing && !socketFraming(incoming.headers).chunked;
  if (!offSocket || incoming.readableDidRead || cache.text) return c.req.text();
  // Node's own reader (async iteration, decoded as Fetch's text() does: UTF-8, a leading BOM dropped; it
  // rejects when the sender goes away first). Fetched when first used: a start-up snapshot loads nothing more.
  const text = process.getBuiltinModule('node:stream/consumers').text(incoming);
  cache.text = text;
  return text;
}

/** Parses a JSON body against a schema; malformed JSON and schema failures are both a 400 naming the field. */
export async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.infer<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(await requestText(c));
  } catch {
    throw fieldProblem('body', 'must be a JSON document');
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
