import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `body.priority` or `query.sort_by`. */
  field: string;
  message: string;
}

/** The one error type functions throw; the error handler turns it into RFC 9457 problem+json. */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  constructor(
    readonly status: ContentfulStatusCode,
    readonly title: string,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    super(detail ?? title);
  }
}

export const notFound = (what: string) => new ProblemError(404, 'Not Found', `${what} not found`);
export const unauthorized = (detail: string) => new ProblemError(401, 'Unauthorized', detail);
export const conflict = (detail: string) => new ProblemError(409, 'Conflict', detail);

export function validationProblem(where: string, error: z.ZodError): ProblemError {
  const at = (path: PropertyKey[]) => [where, ...path.map(String)].join('.');
  // An unknown key is named as the field itself ("query.x: not a parameter"), not as its parent object,
  // so a client can point at exactly what to remove.
  const errors = error.issues.flatMap((issue) =>
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({ field: at([...issue.path, key]), message: 'Unrecognized key' }))
      : [{ field: at(issue.path), message: issue.message }],
  );
  const detail = errors.map((e) => `${e.field}: ${e.message}`).join('; ');
  return new ProblemError(400, 'Invalid request', detail, errors);
}

/** Postgres error codes that mean the database is unavailable rather than the request being wrong. */
const UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08006']);

function isDatabaseUnavailable(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return (
    (typeof code === 'string' &&
      (UNAVAILABLE.has(code) || code === 'ECONNREFUSED' || code === 'ETIMEDOUT')) ||
    (err instanceof Error &&
      /Connection terminated|timeout exceeded when trying to connect/i.test(err.message))
  );
}

/**
 * SQLSTATE class 22 (data exception): Postgres refused a value the request carried — a NUL in text, an
 * out-of-range date or offset, a malformed number or UUID in a cast. The schemas are meant to catch all
 * of these first; this is the backstop that keeps one they miss a 400 instead of a 500.
 */
export function isDataException(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

/**
 * Hono `onError`: problems as they are, outages as 503 + Retry-After, values the database refused as
 * 400, anything else as an opaque 500.
 */
export function problemHandler(log: (msg: string, err: unknown) => void) {
  return function handleProblem(err: Error, c: Context): Response {
    if (err instanceof ProblemError) return problemResponse(c, err);
    if (err instanceof HTTPException) {
      return problemResponse(c, new ProblemError(err.status as ContentfulStatusCode, err.message || 'Error'));
    }
    if (isDatabaseUnavailable(err)) {
      log('database unavailable', err);
      const outage = new ProblemError(
        503,
        'Service Unavailable',
        'The database is unavailable; retry shortly.',
      );
      return problemResponse(c, outage, { 'Retry-After': '2' });
    }
    if (isDataException(err)) {
      // Logged: it means a schema let through something the database cannot take.
      log('input rejected by the database (SQLSTATE class 22): tighten the schema', err);
      return problemResponse(
        c,
        new ProblemError(400, 'Invalid request', 'A value in the request is malformed or out of range.'),
      );
    }
    log('unhandled error', err);
    return problemResponse(
      c,
      new ProblemError(500, 'Internal Server Error', 'Something went wrong on our side.'),
    );
  };
}

export function problemResponse(c: Context, p: ProblemError, headers: Record<string, string> = {}): Response {
  const body = {
    type: 'about:blank',
    title: p.title,
    status: p.status,
    ...(p.detail ? { detail: p.detail } : {}),
    ...(p.errors ? { errors: p.errors } : {}),
    instance: c.req.path,
  };
  return c.body(JSON.stringify(body), p.status, {
    'content-type': 'application/problem+json',
    ...p.headers,
    ...headers,
  });
}
