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

/** Whatever a call threw, as an ApiError (a bug's own message when it is not one), for the error line. */
export const toApiError = (e: unknown): ApiError => (e instanceof ApiError ? e : new ApiError(0, String(e)));

export const networkError = () =>
  new ApiError(0, 'Cannot reach the server. Check your connection and try again.');

/** The answer's body as JSON (null when empty or not JSON). */
export async function readJson(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return null;
  }
}

/** A failed answer's problem+json body as an ApiError. */
export function problemError(status: number, json: unknown): ApiError {
  const problem = (json ?? {}) as { detail?: string; title?: string; errors?: FieldProblem[] };
  const message =
    status === 404 && !problem.detail
      ? `Not available (${status}).`
      : (problem.detail ?? problem.title ?? `Request failed (${status}).`);
  return new ApiError(status, message, Array.isArray(problem.errors) ? problem.errors : []);
}
