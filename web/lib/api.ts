import type { z } from 'zod';

/** Same-origin API root: the local runner and the web container both serve `/api` beside the pages. */
export const API_ROOT = '/api/v1';

export interface FieldProblem {
  field: string;
  message: string;
}

/** An RFC 9457 problem from the API, or a network failure, in one shape the UI can show. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    message: string,
    readonly fields: FieldProblem[] = [],
  ) {
    super(message);
  }
  /** The message for one form field (`body.title` → `title`), if the API named it. */
  forField(name: string): string | undefined {
    return this.fields.find((f) => f.field === `body.${name}` || f.field.startsWith(`body.${name}.`))
      ?.message;
  }
}

export interface ApiCall {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  body?: unknown;
  token?: string | null;
  query?: Record<string, string | undefined>;
  /** Sent even if the page is closing (the deferred delete behind "undo"). */
  keepalive?: boolean;
}

/** Listeners told when the API rejects the session, so the app can send the user to log in. */
const unauthorizedListeners = new Set<() => void>();
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export function apiUrl(path: string, query?: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== '') params.set(k, v);
  const qs = params.toString();
  return `${API_ROOT}${path}${qs ? `?${qs}` : ''}`;
}

/** Calls the API and validates the answer with `schema`; any failure becomes an ApiError. */
export async function api<T>(path: string, schema: z.ZodType<T>, call: ApiCall = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (call.token) headers.authorization = `Bearer ${call.token}`;
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(apiUrl(path, call.query), {
      method: call.method ?? 'GET',
      headers,
      body: call.body === undefined ? undefined : JSON.stringify(call.body),
      keepalive: call.keepalive,
    });
  } catch {
    throw new ApiError(0, 'Cannot reach the server. Check your connection and try again.');
  }
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  if (!res.ok) {
    const problem = (json ?? {}) as { detail?: string; title?: string; errors?: FieldProblem[] };
    if (res.status === 401 && call.token) for (const l of unauthorizedListeners) l();
    const message =
      res.status === 404 && !problem.detail
        ? `Not available (${res.status}).`
        : (problem.detail ?? problem.title ?? `Request failed (${res.status}).`);
    throw new ApiError(res.status, message, Array.isArray(problem.errors) ? problem.errors : []);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    throw new ApiError(res.status, `Unexpected answer from ${path}: ${parsed.error.issues[0]?.message}`);
  }
  return parsed.data;
}

/** A route that is not deployed yet answers 404 "No route for ..." from the gateway. */
export function isMissingRoute(e: unknown): boolean {
  return e instanceof ApiError && e.status === 404 && /No route for/i.test(e.message);
}
