import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { hashPassword, issueToken, STREAM_TICKET_CLAIMS, TOKEN_CLAIMS } from '@todo/core/accounts/auth';
import { signHs256 } from '@todo/core/accounts/jwt';
import { loadConfig } from '@todo/core/runtime/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../testing/database.ts';
import { TEST_JWT_SECRET, useTestApi } from '../testing/stack.ts';
import { authApp } from './app.ts';

const api = useTestApi();

/** The session id an access token carries. */
const sessionOf = (token: string) =>
  JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sid as string;

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
    const sid = sessionOf(user.token);
    const forged = await issueToken(user.id, 'another-secret-another-secret-another!!', 3600, sid);
    const expired = await issueToken(user.id, TEST_JWT_SECRET, -10, sid);
    const now = Math.floor(Date.now() / 1000);
    // Correctly signed, but naming no session, or a session that does not exist or is someone else's.
    const sessionless = signHs256(
      { ...TOKEN_CLAIMS, sub: user.id, iat: now, exp: now + 3600 },
      TEST_JWT_SECRET,
    );
    const unknownSession = await issueToken(user.id, TEST_JWT_SECRET, 3600, randomUUID());
    const other = await api.signUp();
    const othersSession = await issueToken(user.id, TEST_JWT_SECRET, 3600, sessionOf(other.token));
    for (const token of [undefined, 'garbage', forged, expired, sessionless, unknownSession, othersSession]) {
      expect((await api.json('GET', '/api/v1/tasks', { token })).status).toBe(401);
    }
  });

  it('refuses a token without exp, and one with another issuer or audience, even when correctly signed', async () => {
    const user = await api.signUp();
    const now = Math.floor(Date.now() / 1000);
    const good = await issueToken(user.id, TEST_JWT_SECRET, 3600, sessionOf(user.token));
    expect((await api.json('GET', '/api/v1/auth/me', { token: good })).status).toBe(200);
    const sid = sessionOf(user.token);
    for (const claims of [
      { ...TOKEN_CLAIMS, sub: user.id, sid, iat: now },
      { sub: user.id, sid, iat: now, exp: now + 3600 },
      { ...TOKEN_CLAIMS, iss: 'someone-else', sub: user.id, sid, exp: now + 3600 },
      { ...TOKEN_CLAIMS, aud: 'another-api', sub: user.id, sid, exp: now + 3600 },
      // A stream ticket is signed with the same key but is for the stream only.
      { ...STREAM_TICKET_CLAIMS, sub: user.id, sid, exp: now + 60 },
    ]) {
      const token = signHs256(claims, TEST_JWT_SECRET);
      expect((await api.json('GET', '/api/v1/auth/me', { token })).status, JSON.stringify(claims)).toBe(401);
    }
  });

  it('after 10 wrong log-ins for one account within a minute the next is a 429 with Retry-After, right or not; a success starts the count again', async () => {
    const email = `limited-${Date.now()}@example.com`;
    await api.json('POST', '/api/v1/auth/signup', { body: { email, password: 'correct horse' } });
    const attempt = (password: string, i = 0) =>
      api.json('POST', '/api/v1/auth/login', {
        body: { email: i % 2 ? email : email.toUpperCase(), password },
      });
    // Nine guesses, then the owner logs in: the count starts again.
    for (let i = 1; i <= 9; i++) expect((await attempt('wrong', i)).status, `guess ${i}`).toBe(401);
    expect((await attempt('correct horse')).status).toBe(200);
    for (let i = 1; i <= 10; i++) expect((await attempt('wrong', i)).status, `guess ${i} after`).toBe(401);
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

/** A Resend-compatible endpoint on loopback (as notify's tests use): the mails auth sends land here. */
function fakeResend() {
  const mails: { to: string; subject: string; text: string }[] = [];
  const server = createServer(async (req, res) => {
    let text = '';
    for await (const chunk of req) text += chunk;
    const body = JSON.parse(text || '{}');
    mails.push({ to: [body.to].flat()[0], subject: body.subject, text: body.text });
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id: `email-${mails.length}` }));
  });
  return { mails, server };
}

const APP_BASE_URL = 'https://todo.example';
const resend = fakeResend();
/** The auth function with email on (Resend at the fake endpoint), sharing the test stack's database. */
let mailing: ReturnType<typeof authApp>;

beforeAll(async () => {
  resend.server.listen(0, '127.0.0.1');
  await once(resend.server, 'listening');
  const config = loadConfig({
    DATABASE_URL: api.databaseUrl,
    LOG_LEVEL: 'silent',
    PASSWORD_SCRYPT_LOG_N: '12',
    RESEND_API_KEY: 're_test_key',
    RESEND_BASE_URL: `http://127.0.0.1:${(resend.server.address() as AddressInfo).port}`,
    APP_BASE_URL,
  });
  mailing = authApp({ ...api.stack.deps, config });
});
afterAll(() => new Promise<void>((r) => resend.server.close(() => r())));

interface AuthCall {
  body?: unknown;
  token?: string;
  /** The refresh cookie to send. */
  cookie?: string;
  /** Send X-Todo-CSRF: 1 (default: whenever a cookie is sent). */
  csrf?: boolean;
  origin?: string;
}

/** Calls the mailing auth app; `cookie` is the todo_refresh value it set ('' when it cleared it). */
async function auth(method: string, path: string, opts: AuthCall = {}) {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.cookie !== undefined) headers.cookie = `todo_refresh=${opts.cookie}`;
  if (opts.csrf ?? opts.cookie !== undefined) headers['x-todo-csrf'] = '1';
  if (opts.origin) headers.origin = opts.origin;
  const res = await mailing.request(`http://todo.example${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('todo_refresh='));
  return {
    status: res.status,
    body: text ? JSON.parse(text) : null,
    setCookie,
    cookie: setCookie ? /^todo_refresh=([^;]*)/.exec(setCookie)![1] : undefined,
  };
}

let n = 0;
const newEmail = () => `s${++n}-${randomUUID().slice(0, 8)}@example.com`;
const PASSWORD = 'correct horse battery';

async function signUpWithSession(email = newEmail()) {
  const res = await auth('POST', '/api/v1/auth/signup', { body: { email, password: PASSWORD } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { email, id: res.body.user.id as string, token: res.body.token as string, cookie: res.cookie! };
}

async function logIn(email: string, password = PASSWORD) {
  const res = await auth('POST', '/api/v1/auth/login', { body: { email, password } });
  return { status: res.status, token: res.body?.token as string, cookie: res.cookie! };
}

/** Whether an access token still works on another function (tasks), through the gateway. */
const works = async (token: string) => {
  const status = (await api.json('GET', '/api/v1/tasks', { token })).status;
  expect([200, 401]).toContain(status);
  return status === 200;
};

/** The link in the newest mail to `to` whose subject contains `subject`. */
const mailedLink = (to: string, subject: string, page: string) =>
  eventually(`a "${subject}" mail to ${to}`, async () => {
    const mail = resend.mails.filter((m) => m.to === to && m.subject.includes(subject)).at(-1);
    const match = mail && new RegExp(`${APP_BASE_URL}/${page}\\?token=([A-Za-z0-9_-]+)`).exec(mail.text);
    return match?.[1];
  });

describe('sessions: cookie, refresh rotation, logout', () => {
  it('sign-up answers a short-lived token and sets the refresh cookie (HttpOnly, Secure, Strict, auth path)', async () => {
    const res = await auth('POST', '/api/v1/auth/signup', {
      body: { email: newEmail(), password: PASSWORD },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      token: expect.any(String),
      expires_in: api.stack.deps.config.JWT_TTL_SECONDS,
      user: { email_verified: false, time_zone: 'UTC' },
    });
    expect(res.cookie).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const attrs = res.setCookie!.split(';').map((a) => a.trim().toLowerCase());
    expect(attrs).toEqual(
      expect.arrayContaining([
        'httponly',
        'secure',
        'samesite=strict',
        'path=/api/v1/auth',
        `max-age=${api.stack.deps.config.REFRESH_TTL_SECONDS}`,
      ]),
    );
    // Only the hash is stored.
    const rows = await api.stack.db.selectFrom('sessions').select('refresh_hash').execute();
    expect(rows.some((r) => r.refresh_hash === res.cookie)).toBe(false);
    expect(await works(res.body.token)).toBe(true);
  });

  it('refresh rotates the cookie; presenting the old one again revokes the whole session', async () => {
    const user = await signUpWithSession();
    const first = await auth('POST', '/api/v1/auth/refresh', { cookie: user.cookie });
    expect(first.status).toBe(200);
    expect(first.body.user).toMatchObject({ id: user.id, email: user.email });
    expect(first.cookie).toBeDefined();
    expect(first.cookie).not.toBe(user.cookie);
    expect(await works(first.body.token)).toBe(true);
    const second = await auth('POST', '/api/v1/auth/refresh', { cookie: first.cookie });
    expect(second.status).toBe(200);

    // The cookie `first` set was already swapped by `second`: a copy is in two hands. Everything of the
    // session ends: the newest cookie and every access token.
    const replay = await auth('POST', '/api/v1/auth/refresh', { cookie: first.cookie });
    expect(replay.status).toBe(401);
    expect(replay.cookie).toBe('');
    expect((await auth('POST', '/api/v1/auth/refresh', { cookie: second.cookie })).status).toBe(401);
    for (const token of [user.token, first.body.token, second.body.token])
      expect(await works(token)).toBe(false);
    // Another session of the same account is untouched.
    const again = await logIn(user.email);
    expect(await works(again.token)).toBe(true);
  });

  it('refresh without a cookie, or with an unknown one, is a 401', async () => {
    expect((await auth('POST', '/api/v1/auth/refresh', { csrf: true })).status).toBe(401);
    expect((await auth('POST', '/api/v1/auth/refresh', { cookie: 'made-up' })).status).toBe(401);
  });

  it('cookie-authenticated routes need X-Todo-CSRF: 1 and, when an Origin is sent, our own', async () => {
    const user = await signUpWithSession();
    const noHeader = await auth('POST', '/api/v1/auth/refresh', { cookie: user.cookie, csrf: false });
    expect(noHeader.status).toBe(403);
    expect((await auth('POST', '/api/v1/auth/logout', { cookie: user.cookie, csrf: false })).status).toBe(
      403,
    );
    const crossSite = await auth('POST', '/api/v1/auth/refresh', {
      cookie: user.cookie,
      origin: 'https://evil.example',
    });
    expect(crossSite.status).toBe(403);
    // Neither refused request spent the cookie or ended the session.
    const sameSite = await auth('POST', '/api/v1/auth/refresh', {
      cookie: user.cookie,
      origin: APP_BASE_URL,
    });
    expect(sameSite.status).toBe(200);
  });

  it('log-out (bearer) ends the session at once: its access token fails on the next request', async () => {
    const user = await signUpWithSession();
    const other = await logIn(user.email);
    expect(await works(user.token)).toBe(true);
    const out = await auth('POST', '/api/v1/auth/logout', { token: user.token });
    expect(out.status).toBe(204);
    expect(out.cookie).toBe('');
    expect(await works(user.token)).toBe(false);
    expect((await auth('POST', '/api/v1/auth/refresh', { cookie: user.cookie })).status).toBe(401);
    // Only that session: the other log-in still works.
    expect(await works(other.token)).toBe(true);
  });

  it('log-out by cookie (with the CSRF header) ends that session and clears the cookie', async () => {
    const user = await signUpWithSession();
    const out = await auth('POST', '/api/v1/auth/logout', { cookie: user.cookie });
    expect(out.status).toBe(204);
    expect(out.setCookie).toMatch(/Max-Age=0/i);
    expect(await works(user.token)).toBe(false);
    expect((await auth('POST', '/api/v1/auth/refresh', { cookie: user.cookie })).status).toBe(401);
    // Neither a cookie nor a bearer token: nothing says which session.
    expect((await auth('POST', '/api/v1/auth/logout')).status).toBe(401);
  });

  it('log-out everywhere ends every session of the account', async () => {
    const user = await signUpWithSession();
    const second = await logIn(user.email);
    const stranger = await signUpWithSession();
    expect((await auth('POST', '/api/v1/auth/logout-all', { token: second.token })).status).toBe(204);
    for (const token of [user.token, second.token]) expect(await works(token)).toBe(false);
    for (const cookie of [user.cookie, second.cookie])
      expect((await auth('POST', '/api/v1/auth/refresh', { cookie })).status).toBe(401);
    expect(await works(stranger.token)).toBe(true);
    expect((await auth('POST', '/api/v1/auth/logout-all')).status).toBe(401);
  });
});

describe('passwords', () => {
  it('a password change needs the current one, ends every other session and starts a new one', async () => {
    const user = await signUpWithSession();
    const laptop = await logIn(user.email);
    const wrong = await auth('POST', '/api/v1/auth/password', {
      token: user.token,
      body: { current_password: 'not it', new_password: 'a brand new one' },
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].field).toBe('body.current_password');
    expect(await works(laptop.token)).toBe(true);

    const changed = await auth('POST', '/api/v1/auth/password', {
      token: user.token,
      body: { current_password: PASSWORD, new_password: 'a brand new one' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ token: expect.any(String), user: { id: user.id } });
    expect(changed.cookie).toBeTruthy();
    expect(await works(changed.body.token)).toBe(true);
    for (const token of [user.token, laptop.token]) expect(await works(token)).toBe(false);
    expect((await auth('POST', '/api/v1/auth/refresh', { cookie: laptop.cookie })).status).toBe(401);
    expect((await auth('POST', '/api/v1/auth/refresh', { cookie: changed.cookie })).status).toBe(200);
    expect((await logIn(user.email)).status).toBe(401);
    expect((await logIn(user.email, 'a brand new one')).status).toBe(200);
    const weak = await auth('POST', '/api/v1/auth/password', {
      token: changed.body.token,
      body: { current_password: 'a brand new one', new_password: 'short' },
    });
    expect(weak.status).toBe(400);
    expect(weak.body.errors[0].field).toBe('body.new_password');
  });

  it('reset: request → mailed link → new password; sessions end, the link works once, unknown emails look the same', async () => {
    const user = await signUpWithSession();
    const stranger = `nobody-${randomUUID().slice(0, 8)}@example.com`;
    const unknown = await auth('POST', '/api/v1/auth/password-reset', { body: { email: stranger } });
    const known = await auth('POST', '/api/v1/auth/password-reset', {
      body: { email: user.email.toUpperCase() },
    });
    expect(unknown.status).toBe(202);
    expect(known.status).toBe(202);
    expect(known.body).toEqual(unknown.body);

    const token = await mailedLink(user.email, 'Reset your password', 'reset-password');
    expect(resend.mails.some((m) => m.to === stranger)).toBe(false);
    const confirm = await auth('POST', '/api/v1/auth/password-reset/confirm', {
      body: { token, password: 'reset and renewed' },
    });
    expect(confirm.status).toBe(204);
    expect(await works(user.token)).toBe(false);
    expect((await auth('POST', '/api/v1/auth/refresh', { cookie: user.cookie })).status).toBe(401);
    expect((await logIn(user.email)).status).toBe(401);
    const after = await logIn(user.email, 'reset and renewed');
    expect(after.status).toBe(200);
    // The link went to the address and was followed: the address is verified too.
    expect((await api.json('GET', '/api/v1/auth/me', { token: after.token })).body.email_verified).toBe(true);

    const again = await auth('POST', '/api/v1/auth/password-reset/confirm', {
      body: { token, password: 'third time lucky' },
    });
    expect(again.status).toBe(400);
    expect(again.body.errors[0].field).toBe('body.token');
    expect(
      (
        await auth('POST', '/api/v1/auth/password-reset/confirm', {
          body: { token: 'made-up', password: 'whatever-1' },
        })
      ).status,
    ).toBe(400);
  });

  it('only the newest reset link works, and an expired one does not', async () => {
    const user = await signUpWithSession();
    await auth('POST', '/api/v1/auth/password-reset', { body: { email: user.email } });
    const first = await mailedLink(user.email, 'Reset your password', 'reset-password');
    await auth('POST', '/api/v1/auth/password-reset', { body: { email: user.email } });
    const second = await eventually('a second reset link', async () => {
      const t = await mailedLink(user.email, 'Reset your password', 'reset-password');
      return t !== first && t;
    });
    const confirm = (token: string) =>
      auth('POST', '/api/v1/auth/password-reset/confirm', { body: { token, password: 'new password 1' } });
    expect((await confirm(first)).status).toBe(400);
    await api.stack.db
      .updateTable('account_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', user.id)
      .execute();
    expect((await confirm(second)).status).toBe(400);
  });

  it('limits reset requests per address (known or not): the 6th within the hour is a 429', async () => {
    const email = `limited-${randomUUID().slice(0, 8)}@example.com`;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++)
      statuses.push((await auth('POST', '/api/v1/auth/password-reset', { body: { email } })).status);
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
  });
});

describe('email verification', () => {
  it('sign-up mails a link; following it verifies the address (again: still fine); a bad one is a 400', async () => {
    const user = await signUpWithSession();
    const token = await mailedLink(user.email, 'Confirm your email', 'verify-email');
    expect((await api.json('GET', '/api/v1/auth/me', { token: user.token })).body.email_verified).toBe(false);
    expect((await auth('POST', '/api/v1/auth/verify-email', { body: { token } })).status).toBe(204);
    expect((await api.json('GET', '/api/v1/auth/me', { token: user.token })).body).toMatchObject({
      id: user.id,
      email_verified: true,
    });
    expect((await auth('POST', '/api/v1/auth/verify-email', { body: { token } })).status).toBe(204);
    const bad = await auth('POST', '/api/v1/auth/verify-email', { body: { token: 'made-up' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('body.token');
    // Log-in tells the client too.
    expect(
      (await auth('POST', '/api/v1/auth/login', { body: { email: user.email, password: PASSWORD } })).body
        .user,
    ).toMatchObject({ email_verified: true });
  });

  it('resend mails a fresh link while unverified (202), is limited, and needs a bearer token', async () => {
    const user = await signUpWithSession();
    const first = await mailedLink(user.email, 'Confirm your email', 'verify-email');
    expect((await auth('POST', '/api/v1/auth/verify-email/resend', { token: user.token })).status).toBe(202);
    const second = await eventually('a second verification link', async () => {
      const t = await mailedLink(user.email, 'Confirm your email', 'verify-email');
      return t !== first && t;
    });
    expect((await auth('POST', '/api/v1/auth/verify-email', { body: { token: second } })).status).toBe(204);
    expect((await auth('POST', '/api/v1/auth/verify-email/resend')).status).toBe(401);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++)
      statuses.push((await auth('POST', '/api/v1/auth/verify-email/resend', { token: user.token })).status);
    expect(statuses).toEqual([202, 202, 202, 202, 429]);
  });

  it('an expired verification link is a 400', async () => {
    const user = await signUpWithSession();
    const token = await mailedLink(user.email, 'Confirm your email', 'verify-email');
    await api.stack.db
      .updateTable('account_tokens')
      .set({ expires_at: new Date(Date.now() - 1000) })
      .where('user_id', '=', user.id)
      .execute();
    expect((await auth('POST', '/api/v1/auth/verify-email', { body: { token } })).status).toBe(400);
  });
});
