import { networkError, problemError, readJson } from './api-error';
import type { paths } from './api-types.gen';
import { createSessionClient } from './session-client';

export { ApiError, type FieldProblem, toApiError } from './api-error';

/** Same-origin API root: the local runner and the web container both serve `/api` beside the pages. */
export const API_ROOT = '/api/v1';

/** This tab's session: the access token in memory, refreshed from the HttpOnly cookie. */
export const sessionClient = createSessionClient({ base: API_ROOT });

/*
 * Every call is typed by its route, written as the catalog does (`PATCH /tasks/{id}`), from the types
 * generated out of the server's OpenAPI document (api-types.gen.ts): its path parameters, body, query
 * names and answer. A field the server does not send, or a route it does not have, does not compile.
 */

type Method = 'get' | 'put' | 'post' | 'patch' | 'delete';
type Item<K extends keyof paths, M extends Method> = NonNullable<paths[K][M]>;
type Below<K> = K extends `${typeof API_ROOT}${infer P}` ? P : never;

/** Every operation of the API: `METHOD /path` below API_ROOT, path parameters as `{name}`. */
export type ApiRoute = {
  [K in keyof paths]: {
    [M in Method]: [Item<K, M>] extends [never] ? never : `${Uppercase<M>} ${Below<K>}`;
  }[Method];
}[keyof paths];

type Operation<R extends ApiRoute> = R extends `${infer M} ${infer P}`
  ? Item<`${typeof API_ROOT}${P}` & keyof paths, Lowercase<M> & Method>
  : never;
type JsonOf<T> = T extends { content: { 'application/json': infer J } } ? J : undefined;
type Success = 200 | 201 | 202 | 204;

/** What a route answers on success (`undefined` when it answers with no body). */
export type ApiAnswer<R extends ApiRoute> =
  Operation<R> extends { responses: infer S } ? JsonOf<S[keyof S & Success]> : never;
/** The JSON body a route takes. */
export type ApiBody<R extends ApiRoute> =
  Operation<R> extends { requestBody: { content: { 'application/json': infer B } } } ? B : never;
type QueryOf<R extends ApiRoute> = Operation<R> extends { parameters: { query?: infer Q } } ? Q : never;
type ParamNames<P> = P extends `${string}{${infer N}}${infer Rest}` ? N | ParamNames<Rest> : never;

/** The call's parts: `params` when the path has any, `body` when the route takes one. */
export type ApiCall<R extends ApiRoute> = {
  /** Query values as they go in the URL; the names are the route's. Empty values are left out. */
  query?: [QueryOf<R>] extends [never] ? never : { [K in keyof NonNullable<QueryOf<R>>]?: string };
  /** Sent without the access token and never refreshed (log-in, sign-up, password reset, ...). */
  anonymous?: boolean;
  /** Sends the refresh cookie and the CSRF header too (log-out). */
  withCookie?: boolean;
  /** Sent even if the page is closing (the deferred delete behind "undo"). */
  keepalive?: boolean;
} & ([ParamNames<R>] extends [never] ? { params?: never } : { params: Record<ParamNames<R>, string> }) &
  ([ApiBody<R>] extends [never] ? { body?: never } : { body: ApiBody<R> });

/** The call argument may be left out when the route needs neither parameters nor a body. */
type CallArgs<R extends ApiRoute> = object extends ApiCall<R> ? [call?: ApiCall<R>] : [call: ApiCall<R>];

/** The URL of a route's path with its `{name}` parameters filled in (each one encoded). */
export function apiUrl(
  path: string,
  params: Record<string, string> = {},
  query: Record<string, string | undefined> = {},
): string {
  const filled = path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined) throw new Error(`${path}: no value for {${name}}`);
    return encodeURIComponent(value);
  });
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') qs.set(k, v);
  const search = qs.toString();
  return `${API_ROOT}${filled}${search ? `?${search}` : ''}`;
}

/**
 * Calls one route of the API; a failed answer becomes an ApiError (its problem+json, or "cannot reach
 * the server"). Calls carry the access token unless `anonymous`; a 401 refreshes it once and retries
 * (see session-client.ts). The answer is typed from the OpenAPI document, which the server's contract
 * tests hold its answers to, so it is not parsed a second time here.
 */
export async function api<R extends ApiRoute>(route: R, ...[call]: CallArgs<R>): Promise<ApiAnswer<R>> {
  const { query, anonymous, withCookie, keepalive, params, body } = (call ?? {}) as ApiCall<ApiRoute> & {
    params?: Record<string, string>;
    body?: unknown;
  };
  const space = route.indexOf(' ');
  const method = route.slice(0, space);
  const url = apiUrl(route.slice(space + 1), params, query as Record<string, string | undefined>);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (withCookie) headers['x-todo-csrf'] = '1';
  const init: RequestInit = {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
    keepalive,
    credentials: withCookie ? 'include' : 'same-origin',
  };
  let res: Response;
  try {
    res = anonymous ? await fetch(url, init) : await sessionClient.fetchWithAccess(url, init);
  } catch {
    throw networkError();
  }
  const json = await readJson(res);
  if (!res.ok) throw problemError(res.status, json);
  return (json ?? undefined) as ApiAnswer<R>;
}
