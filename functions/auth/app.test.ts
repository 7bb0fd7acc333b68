import { describe, expect, it } from 'vitest';
import { useTestApi } from '../testing/stack.ts';

const api = useTestApi();

describe('auth', () => {
  it('signs up, logs in and answers who am I', async () => {
    const signUp = await api.json('POST', '/api/v1/auth/signup', {
      body: { email: 'Ada@Example.com', password: 'lovelace-1815', time_zone: 'Europe/London' },
    });
    expect(signUp.status).toBe(201);
    const login = await api.json('POST', '/api/v1/auth/login', {
      body: { email: 'ada@example.com', password: 'lovelace-1815' },
    });
    expect(login.status).toBe(200);
    const me = await api.json('GET', '/api/v1/auth/me', { token: login.body.token });
    expect(me.body).toMatchObject({ email: 'ada@example.com', time_zone: 'Europe/London' });
  });

  it('does not store the password in clear', async () => {
    await api.json('POST', '/api/v1/auth/signup', {
      body: { email: 'hash@example.com', password: 'plain-text-pw' },
    });
    const row = await api.stack.db
      .selectFrom('users')
      .select('password_hash')
      .where('email', '=', 'hash@example.com')
      .executeTakeFirstOrThrow();
    expect(row.password_hash).toMatch(/^scrypt\$/);
    expect(row.password_hash).not.toContain('plain-text-pw');
  });

  it('a duplicate email (any case) is a 409; a wrong password and an unknown email look the same', async () => {
    await api.json('POST', '/api/v1/auth/signup', {
      body: { email: 'dup@example.com', password: 'password-1' },
    });
    const dup = await api.json('POST', '/api/v1/auth/signup', {
      body: { email: 'DUP@example.com', password: 'password-2' },
    });
    expect(dup.status).toBe(409);
    const wrong = await api.json('POST', '/api/v1/auth/login', {
      body: { email: 'dup@example.com', password: 'nope' },
    });
    const unknown = await api.json('POST', '/api/v1/auth/login', {
      body: { email: 'who@example.com', password: 'nope' },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body.detail).toBe(unknown.body.detail);
  });

  it('rejects weak passwords, bad emails and bad time zones with a 400 naming the field', async () => {
    for (const [body, field] of [
      [{ email: 'a@b.co', password: 'short' }, 'body.password'],
      [{ email: 'not-an-email', password: 'long-enough' }, 'body.email'],
      [{ email: 'a@b.co', password: 'long-enough', time_zone: 'Mars/Olympus' }, 'body.time_zone'],
    ] as const) {
      const res = await api.json('POST', '/api/v1/auth/signup', { body });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe(field);
    }
  });

  it('rejects missing, malformed, forged and expired tokens with a 401', async () => {
    const { issueToken } = await import('../core/src/auth.ts');
    const user = await api.signUp();
    const forged = await issueToken(user.id, 'another-secret-another-secret-another!!', 3600);
    const expired = await issueToken(user.id, 'test-secret-test-secret-test-secret-0123', -10);
    for (const token of [undefined, 'garbage', forged, expired]) {
      expect((await api.json('GET', '/api/v1/tasks', { token })).status).toBe(401);
    }
  });
});
