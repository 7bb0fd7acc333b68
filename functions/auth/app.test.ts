import { describe, expect, it } from 'vitest';
import { hashPassword, issueToken, TOKEN_CLAIMS } from '../core/src/auth.ts';
import { signHs256 } from '../core/src/jwt.ts';
import { TEST_JWT_SECRET, useTestApi } from '../testing/stack.ts';

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
    const user = await api.signUp();
    const forged = await issueToken(user.id, 'another-secret-another-secret-another!!', 3600);
    const expired = await issueToken(user.id, 'test-secret-test-secret-test-secret-0123', -10);
    for (const token of [undefined, 'garbage', forged, expired]) {
      expect((await api.json('GET', '/api/v1/tasks', { token })).status).toBe(401);
    }
  });

  it('refuses a token without exp, and one with another issuer or audience, even when correctly signed', async () => {
    const user = await api.signUp();
    const now = Math.floor(Date.now() / 1000);
    const good = await issueToken(user.id, TEST_JWT_SECRET, 3600);
    expect((await api.json('GET', '/api/v1/auth/me', { token: good })).status).toBe(200);
    for (const claims of [
      { ...TOKEN_CLAIMS, sub: user.id, iat: now },
      { sub: user.id, iat: now, exp: now + 3600 },
      { ...TOKEN_CLAIMS, iss: 'someone-else', sub: user.id, exp: now + 3600 },
      { ...TOKEN_CLAIMS, aud: 'another-api', sub: user.id, exp: now + 3600 },
    ]) {
      const token = signHs256(claims, TEST_JWT_SECRET);
      expect((await api.json('GET', '/api/v1/auth/me', { token })).status, JSON.stringify(claims)).toBe(401);
    }
  });

  it('the 11th log-in for one account within a minute is a 429 with Retry-After, wrong or right', async () => {
    const email = `limited-${Date.now()}@example.com`;
    await api.json('POST', '/api/v1/auth/signup', { body: { email, password: 'correct horse' } });
    for (let i = 1; i <= 10; i++) {
      const res = await api.json('POST', '/api/v1/auth/login', {
        body: { email: i % 2 ? email : email.toUpperCase(), password: i === 10 ? 'correct horse' : 'wrong' },
      });
      expect(res.status, `attempt ${i}`).toBe(i === 10 ? 200 : 401);
    }
    const res = await api.call('POST', '/api/v1/auth/login', { body: { email, password: 'correct horse' } });
    expect(res.status).toBe(429);
    const retryAfter = Number(res.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(res.headers.get('content-type')).toMatch(/problem\+json/);
    // Another account is not affected.
    const other = await api.signUp();
    expect(
      (
        await api.json('POST', '/api/v1/auth/login', {
          body: { email: other.email, password: 'correct horse battery' },
        })
      ).status,
    ).toBe(200);
  });

  it('limits log-ins and sign-ups per client address (the proxy-appended X-Forwarded-For entry)', async () => {
    const from = (ip: string, path: string, body: unknown) =>
      api.stack.app.fetch(
        new Request(`http://test.local${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': `1.2.3.4, ${ip}` },
          body: JSON.stringify(body),
        }),
      );
    const statuses: number[] = [];
    for (let i = 0; i < 61; i++)
      statuses.push(
        (await from('203.0.113.9', '/api/v1/auth/login', { email: `n${i}@example.com`, password: 'x' }))
          .status,
      );
    expect(statuses.slice(0, 60).every((s) => s === 401)).toBe(true);
    expect(statuses[60]).toBe(429);
    // The spoofable first entry does not matter; another address is not limited.
    expect(
      (await from('203.0.113.10', '/api/v1/auth/login', { email: 'n0@example.com', password: 'x' })).status,
    ).toBe(401);
    const signups: number[] = [];
    for (let i = 0; i < 21; i++)
      signups.push(
        (
          await from('198.51.100.7', '/api/v1/auth/signup', {
            email: `s${i}-${Date.now()}@example.com`,
            password: 'long-enough',
          })
        ).status,
      );
    expect(signups.slice(0, 20).every((s) => s === 201)).toBe(true);
    expect(signups[20]).toBe(429);
  });

  it('verifies an older, cheaper hash and rehashes it at the current cost on log-in', async () => {
    const user = await api.signUp();
    const old = await hashPassword('correct horse battery', 10);
    await api.stack.db.updateTable('users').set({ password_hash: old }).where('id', '=', user.id).execute();
    const login = await api.json('POST', '/api/v1/auth/login', {
      body: { email: user.email, password: 'correct horse battery' },
    });
    expect(login.status).toBe(200);
    const row = await api.stack.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', user.id)
      .executeTakeFirstOrThrow();
    expect(row.password_hash).not.toBe(old);
    expect(row.password_hash.split('$')[1]).toBe(String(2 ** api.stack.deps.config.PASSWORD_SCRYPT_LOG_N));
    expect(
      (
        await api.json('POST', '/api/v1/auth/login', {
          body: { email: user.email, password: 'correct horse battery' },
        })
      ).status,
    ).toBe(200);
  });
});
