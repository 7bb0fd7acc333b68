import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { z } from 'zod';

export interface FieldError {
  /** Dotted path of the offending field, e.g. `body.priority` or `query.sort_by`. */
  field: string;
  message: string;
}

/**
 * Every kind of problem the API answers, by status: its machine-readable `type` (RFC 9457; a URI relative
 * to the API's origin, so a client can branch on it without reading `detail`) and its `title`. One table,
 * so a status always comes with the same type and title. Statuses not listed are `about:blank`.
 */
export const PROBLEM_KINDS = {
  400: { kind: 'validation', title: 'Invalid request' },
  401: { kind: 'unauthorized', title: 'Unauthorized' },
  403: { kind: 'forbidden', title: 'Forbidden' },
  404: { kind: 'not-found', title: 'Not Found' },
  405: { kind: 'method-not-allowed', title: 'Method Not Allowed' },
  409: { kind: 'conflict', title: 'Conflict' },
  413: { kind: 'too-large', title: 'Payload Too Large' },
  429: { kind: 'rate-limited', title: 'Too Many Requests' },
  500: { kind: 'internal', title: 'Internal Server Error' },
  503: { kind: 'unavailable', title: 'Service Unavailable' },
  504: { kind: 'timeout', title: 'Gateway Timeout' },
} as const satisfies Partial<Record<ContentfulStatusCode, { kind: string; title: string }>>;

export type ProblemKind = (typeof PROBLEM_KINDS)[keyof typeof PROBLEM_KINDS]['kind'];
export const problemType = (kind: ProblemKind) => `/problems/${kind}`;
/** Every `type` a problem can have, for the OpenAPI document. */
export const PROBLEM_TYPES = [...Object.values(PROBLEM_KINDS).map((p) => problemType(p.kind)), 'about:blank'];

function describeStatus(status: ContentfulStatusCode): { type: string; title: string } {
  const known = (PROBLEM_KINDS as Partial<Record<number, { kind: ProblemKind; title: string }>>)[status];
  return known
    ? { type: problemType(known.kind), title: known.title }
    : { type: 'about:blank', title: 'Error' };
}

/**
 * The one error type functions throw; the error handler turns it into RFC 9457 problem+json. Its type
 * and title follow from the status (PROBLEM_KINDS); `detail` is for people, never to be parsed.
 */
export class ProblemError extends Error {
  override readonly name = 'ProblemError';
  readonly type: string;
  readonly title: string;
  /** What was not found (`Task`, `Tag`, `Series`…), for a 404 built by notFound(). */
  resource?: string;
  constructor(
    readonly status: ContentfulStatusCode,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
  ) {
    const { type, title } = describeStatus(status);
    super(detail ?? title);
    this.type = type;
    this.title = title;
  }

  /** True when this problem is of `kind`: how callers branch on a problem, never on its text. */
  is(kind: ProblemKind): boolean {
    return this.type === problemType(kind);
  }
}

export function notFound(what: string, detail = `${what} not found`): ProblemError {
  const problem = new ProblemError(404, detail);
  problem.resource = what;
  return problem;
}
export const unauthorized = (detail: string) => new ProblemError(401, detail);
export const forbidden = (detail: string) => new ProblemError(403, detail);
export const conflict = (detail: string) => new ProblemError(409, detail);

/** A 400 naming one field: `field` is a dotted path such as `body.due_at` or `query.cursor`. */
export const fieldProblem = (field: string, message: string) =>
  new ProblemError(400, `${field}: ${message}`, [{ field, message }]);

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
  return new ProblemError(400, detail, errors);
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
 * SQLSTATE class 23 (integrity constraint violation) that reached the handler: the app checks every
 * invariant before it writes, so one the database still refuses lost a race with a concurrent change
 * (a subtask's parent nested meanwhile, a project deleted under a new task) — a conflict, not our fault
 * and not the request's shape.
 */
export function isIntegrityViolation(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && /^23[0-9A-Z]{3}$/.test(code);
}

/**
 * Hono `onError`: problems as they are, outages as 503 + Retry-After, values the database refused as
 * 400, a lost race on an invariant as 409, anything else as an opaque 500.
 */
export function problemHandler(log: (msg: string, err: unknown) => void) {
  return function handleProblem(err: Error, c: Context): Response {
    if (err instanceof ProblemError) return problemResponse(c, err);
    if (err instanceof HTTPException) {
      return problemResponse(
        c,
        new ProblemError(err.status as ContentfulStatusCode, err.message || undefined),
      );
    }
    if (isDatabaseUnavailable(err)) {
      log('database unavailable', err);
      const outage = new ProblemError(503, 'The database is unavailable; retry shortly.');
      return problemResponse(c, outage, { 'Retry-After': '2' });
    }
    if (isDataException(err)) {
      // Logged: it means a schema let through something the database cannot take.
      log('input rejected by the database (SQLSTATE class 22): tighten the schema', err);
      return problemResponse(
        c,
        new ProblemError(400, 'A value in the request is malformed or out of range.'),
      );
    }
    if (isIntegrityViolation(err)) {
      log('a database constraint refused a write the app had checked (a concurrent change)', err);
      return problemResponse(
        c,
        new ProblemError(409, 'This conflicts with a change made at the same time; reload and try again.'),
      );
    }
    log('unhandled error', err);
    return problemResponse(c, new ProblemError(500, 'Something went wrong on our side.'));
  };
}

export function problemResponse(c: Context, p: ProblemError, headers: Record<string, string> = {}): Response {
  const body = {
    type: p.type,
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
