import type { z } from 'zod';
import { fieldProblem } from './errors.ts';

/**
 * Opaque paging cursors: a JSON value, base64url. What a cursor carries is checked against a schema
 * before any of it reaches SQL (a hand-made cursor once made Postgres fail a cast: a 500), and one that
 * fails is a 400 naming `query.cursor`.
 */
export const encodeCursor = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

export function decodeCursor<S extends z.ZodType>(raw: string, schema: S, message: string): z.infer<S> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw fieldProblem('query.cursor', message);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw fieldProblem('query.cursor', message);
  return parsed.data;
}
