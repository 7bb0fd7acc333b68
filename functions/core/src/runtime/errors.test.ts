import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { isDataException, isIntegrityViolation, problemHandler } from './errors.ts';

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

  it('leaves other database errors a 500', async () => {
    const { app } = appThrowing(pgError('42P01', 'relation "nope" does not exist'));
    expect((await app.request('/x')).status).toBe(500);
    expect(isDataException(new Error('no code'))).toBe(false);
  });
});

describe('problemHandler: a constraint the database still refuses (SQLSTATE class 23) lost a race', () => {
  it.each([
    ['23514', 'task cannot be a subtask of a subtask'],
    ['23503', 'insert on table "tasks" violates foreign key constraint'],
    ['23505', 'duplicate key value violates unique constraint'],
  ])('%s (%s) → 409 problem+json, opaque, logged', async (code, message) => {
    expect(isIntegrityViolation(pgError(code, message))).toBe(true);
    expect(isDataException(pgError(code, message))).toBe(false);
    const { app, logged } = appThrowing(pgError(code, message));
    const res = await app.request('/x');
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(JSON.stringify(await res.json())).not.toContain(message);
    expect(logged).toHaveLength(1);
  });
});
