import type { Context, Hono } from 'hono';
import type { z } from 'zod';
import { type AppEnv, readBody, readQuery, validate } from './http.ts';

/**
 * A route as the catalog (functions/catalog.ts) declares it, once: the router entry (method + path), the
 * validator (params, query, body) and the OpenAPI operation, the idea of @hono/zod-openapi's
 * `createRoute` without its framework. The types live here so the core can register handlers against
 * the catalog's entries without importing functions/.
 */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpRoute {
  /** The operation's stable name: its handler's key in the app, and the OpenAPI `operationId`. */
  operationId: string;
  method: HttpMethod;
  /** Hono-style path (`/api/v1/tasks/:id`). */
  path: string;
  summary: string;
  /** No bearer token needed (sign-up, log-in; or the route checks its own credential). */
  public?: boolean;
  params?: z.ZodType;
  query?: z.ZodType;
  body?: z.ZodType;
  /**
   * Bodies the handler reads itself, by media type, for a route that takes more than JSON (an import
   * takes our JSON document or a CSV file): routeHandlers parses none of them, the OpenAPI document lists
   * each. `body` is the usual case: one JSON body validated before the handler runs.
   */
  bodies?: Readonly<Record<string, z.ZodType>>;
  /** The largest request body in bytes, for a route that takes files (every other: 1 MB, http.ts). */
  bodyLimit?: number;
  status: number;
  response?: z.ZodType;
  /**
   * Problem statuses this route returns beyond the ones every route of its shape does (400 always; 401
   * unless public; 404 with an id in the path; 413 with a body; 503 in an outage): 409 for a name or an
   * email already taken, a series already ended … The OpenAPI document lists exactly these, so a status
   * the code can return and this list lacks is a contract break the fuzzing tier reports.
   */
  problems?: readonly number[];
  /**
   * The route speaks JSON-RPC (MCP): besides problem+json from the shared layers (auth, body limit), its
   * errors can be JSON-RPC error objects as application/json.
   */
  jsonRpc?: boolean;
  /**
   * Ids its response hands on, for the OpenAPI document's links (schemathesis's stateful phase chains
   * calls by them): `from` is a JSON pointer into the response body, `to` the path whose `:id` it fills —
   * every route at that path or below it (`/api/v1/tasks/:id` → get, update, complete … reminders).
   */
  links?: readonly { from: string; to: string }[];
}

/** What an app needs of its catalog entry: its name (logs, probes, event sources) and its routes. */
export interface FunctionRoutes {
  name: string;
  routes: readonly HttpRoute[];
}

type SchemaOf<R, K extends 'params' | 'query' | 'body'> = R extends { [P in K]: infer S } ? S : undefined;
type Parsed<S> = S extends z.ZodType ? z.output<S> : undefined;

/** A handler's validated inputs, typed by its route's own schemas (undefined where it has none). */
export type RouteInput<R extends HttpRoute> = {
  params: Parsed<SchemaOf<R, 'params'>>;
  query: Parsed<SchemaOf<R, 'query'>>;
  body: Parsed<SchemaOf<R, 'body'>>;
};

export type RouteHandler<R extends HttpRoute> = (
  c: Context<AppEnv>,
  input: RouteInput<R>,
) => Response | Promise<Response>;

/** The operations of an entry, and the route of one of them. */
export type OperationId<F extends FunctionRoutes> = F['routes'][number]['operationId'];
export type RouteOf<F extends FunctionRoutes, Id extends OperationId<F>> = Extract<
  F['routes'][number],
  { operationId: Id }
>;

/** The entry's route with this operationId (for a route-level middleware, a link, a test). */
export function routeOf<F extends FunctionRoutes, Id extends OperationId<F>>(
  fn: F,
  operationId: Id,
): RouteOf<F, Id> {
  const route = fn.routes.find((r) => r.operationId === operationId);
  if (!route) throw new Error(`${fn.name}: no route ${operationId} in the catalog`);
  return route as RouteOf<F, Id>;
}

/**
 * Hono names a parameter written with a literal suffix (`:token.ics`) after the whole `token.ics`, and it
 * holds the whole segment; the route's schema (and the OpenAPI document) call it `token`. The handler
 * gets the whole segment as `token` and checks the suffix itself (a path without it is no address we
 * gave out, and must still take the lookup's path).
 */
function pathParams(c: Context): Record<string, string> {
  return Object.fromEntries(Object.entries(c.req.param()).map(([k, v]) => [k.split('.')[0]!, v]));
}

/**
 * The way an app adds its routes: `handle('listTasks', async (c, { query }) => …)` registers the catalog
 * route with that operationId (method and path from the entry) and runs the handler after validating path
 * parameters, query and JSON body with the route's own zod schemas (each failure a 400 naming the field,
 * as readParams / readQuery / readBody do), so the handler's inputs are typed by them. An operationId the
 * entry lacks does not compile; a route left without a handler fails functions/routes.test.ts.
 */
export function routeHandlers<F extends FunctionRoutes>(app: Hono<AppEnv>, fn: F) {
  const handled = new Set<string>();
  return function handle<Id extends OperationId<F>>(operationId: Id, handler: RouteHandler<RouteOf<F, Id>>) {
    const route: HttpRoute = routeOf(fn, operationId);
    if (handled.has(operationId)) throw new Error(`${fn.name}: ${operationId} has a handler already`);
    handled.add(operationId);
    const run = handler as RouteHandler<HttpRoute>;
    app.on(route.method, route.path, async function validatedRoute(c) {
      const input = {
        params: route.params && validate('path', route.params, pathParams(c)),
        query: route.query && readQuery(c, route.query),
        body: route.body && (await readBody(c, route.body)),
      };
      return run(c, input as RouteInput<HttpRoute>);
    });
  };
}
