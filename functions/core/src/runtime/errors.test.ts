import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { isDataException, problemHandler } from './errors.ts';

/** A pg error as node-postgres raises it: an Error with the SQLSTATE in `code`. */
const pgError = (code: string, message: string) => Object.assign(new Error(message), { code });

function appThrowing(err: Error) {
  const logged: string[] = [];
  const app = new Hono();
  app.onError(problemHandler((msg) => logged.push(msg)));
  app.get('/x', () => {
    throw err;
  });
  return { app, logged };
}

describe('problemHandler: values Postgres refuses (SQLSTATE class 22) are the request’s fault', () => {
  it.each([
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22008', 'date/time field value out of range: "0000-01-01"'],
    ['22009', 'time zone displacement out of range: "+18:09"'],
    ['22P02', 'invalid input syntax for type uuid: "nope"'],
    ['22003', 'value "99999" is out of range for type smallint'],
  ])('%s (%s) → 400 problem+json, not a 500, and logged as a schema gap', async (code, message) => {
    const { app, logged } = appThrowing(pgError(code, message));
    const res = await app.request('/x');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    const body = await res.json();
    expect(body).toMatchObject({ title: 'Invalid request', status: 400 });
    // Opaque: the database's message is not echoed back.
    expect(JSON.stringify(body)).not.toContain(message);
    expect(logged).toHaveLength(1);
  });

  it('leaves other database errors a 500 (constraint violations are the code’s to map)', async () => {
    expect(isDataException(pgError('23505', 'duplicate key'))).toBe(false);
    const { app } = appThrowing(pgError('23505', 'duplicate key'));
    expect((await app.request('/x')).status).toBe(500);
    expect(isDataException(new Error('no code'))).toBe(false);
  });
});
