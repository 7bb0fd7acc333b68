import {
  authenticateToken,
  bearerToken,
  conflict,
  createFunctionApp,
  type FunctionDeps,
  fieldProblem,
  forbidden,
  hashPassword,
  issueToken,
  needsRehash,
  notFound,
  routeHandlers,
  unauthorized,
  verifyAgainstDummy,
  verifyPassword,
} from '@todo/core';
import {
  CSRF_HEADER,
  createAccountToken,
  createSession,
  hashOpaqueToken,
  REFRESH_COOKIE,
  REFRESH_COOKIE_PATH,
  revokeSession,
  revokeSessionByRefreshToken,
  revokeUserSessions,
  rotateSession,
} from '@todo/core/accounts/sessions';
import {
  type Account,
  findAccount,
  findAccountWithHash,
  insertAccount,
  proveAddress,
  setPasswordHash,
} from '@todo/core/accounts/users';
import type { Database } from '@todo/core/db/types';
import { clientIp, enforceLimits, forgetAttempts, LIMITS } from '@todo/core/runtime/rate-limit';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { type Kysely, sql } from 'kysely';
import { functionSpec } from '../catalog.ts';
import {
  type AccountMailer,
  createAccountMailer,
  PASSWORD_RESET_TTL_SECONDS,
  VERIFY_EMAIL_TTL_SECONDS,
} from './account-mail.ts';

const spec = functionSpec('auth');

/** The limits auth applies per client address and per account, as one pair each. */
type LimitKind = 'signup' | 'login' | 'passwordReset' | 'verifyResend';

const meJson = (u: Account) => ({
  id: u.id,
  email: u.email,
  time_zone: u.time_zone,
  email_verified: u.email_verified_at !== null,
});

const badToken = (detail: string) => fieldProblem('body.token', detail);

/**
 * A cookie-authenticated request must carry `X-Todo-CSRF: 1` (a cross-site page cannot send a custom
 * header without a CORS preflight, which this API never grants) and, when the browser names its
 * Origin, come from our own site: the Host it was sent to (or the proxy's X-Forwarded-Host) or the
 * web app's configured address.
 */
function requireSameSite(c: Context, appBaseUrl: string): void {
  if (c.req.header(CSRF_HEADER) !== '1')
    throw forbidden(`Send the header X-Todo-CSRF: 1 with cookie-authenticated requests`);
  const origin = c.req.header('origin');
  if (origin === undefined) return;
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    throw forbidden('The request comes from another site');
  }
  const ours = new Set(
    [
      c.req.header('host'),
      new URL(c.req.url).host,
      new URL(appBaseUrl).host,
      ...(c.req.header('x-forwarded-host')?.split(',') ?? []),
    ]
      .map((h) => h?.trim().toLowerCase())
      .filter(Boolean),
  );
  if (!ours.has(host.toLowerCase())) throw forbidden('The request comes from another site');
}

/**
 * auth: accounts and sessions. Sign-up and log-in check a password (scrypt) and start a session: a
 * short-lived access token (HS256, carrying the session id) in the body and a rotating refresh token
 * in an HttpOnly, SameSite=Strict cookie scoped to /api/v1/auth. Logging out, a new password and a
 * refresh token seen twice revoke sessions, and every request checks its session (http.ts), so that is
 * immediate. Password reset and email verification mail single-purpose links (stored hashed).
 * Sign-up, log-in, password changes and reset/verification mails are rate-limited per client IP and per
 * account (Postgres-backed, so across replicas) before any scrypt runs or any mail goes out.
 */
export function authApp(
  deps: FunctionDeps,
  mailer: AccountMailer = createAccountMailer(deps.config, deps.log),
) {
  const app = createFunctionApp(spec, deps);
  const { db, config } = deps;
  const logN = config.PASSWORD_SCRYPT_LOG_N;

  const cookieOptions = {
    httpOnly: true,
    secure: true,
    sameSite: 'Strict',
    path: REFRESH_COOKIE_PATH,
  } as const;
  const setRefreshCookie = (c: Context, token: string) =>
    setCookie(c, REFRESH_COOKIE, token, { ...cookieOptions, maxAge: config.REFRESH_TTL_SECONDS });
  const clearRefreshCookie = (c: Context) => deleteCookie(c, REFRESH_COOKIE, cookieOptions);

  const sessionBody = async (user: Account, sessionId: string) => ({
    token: await issueToken(user.id, deps.jwtSecret, config.JWT_TTL_SECONDS, sessionId),
    expires_in: config.JWT_TTL_SECONDS,
    user: meJson(user),
  });

  /** A new session for `user`: the refresh cookie on `c`, the access token in the body. */
  async function startSession(c: Context, user: Account) {
    const { sessionId, refreshToken } = await createSession(db, user.id, config.REFRESH_TTL_SECONDS);
    setRefreshCookie(c, refreshToken);
    return sessionBody(user, sessionId);
  }

  const findUser = (id: string) => findAccount(db, id);

  /**
   * Mail work runs after the answer: a slow or failing mail provider neither delays nor fails the request,
   * and a reset request for an unknown address takes as long as one for a known address.
   */
  function afterResponse(what: string, work: () => Promise<unknown>) {
    void work().catch((err) => deps.log.error(`auth: ${what} failed`, { err }));
  }

  async function sendVerification(user: { id: string; email: string }) {
    const token = await createAccountToken(db, user, 'verify_email', VERIFY_EMAIL_TTL_SECONDS);
    await mailer.verifyEmail(user.email, token);
  }

  /** One attempt against a pair of rules: `<kind>PerIp` by client address, `<kind>PerAccount` by account. */
  const limitByIpAndAccount = (c: Context, kind: LimitKind, account: string, what: string) =>
    enforceLimits(
      db,
      [
        { rule: LIMITS[`${kind}PerIp`], key: clientIp(c) },
        { rule: LIMITS[`${kind}PerAccount`], key: account },
      ],
      what,
    );

  const handle = routeHandlers(app, spec);
  handle('signUp', async function signUpRoute(c, { body: input }) {
    const email = input.email.toLowerCase();
    await limitByIpAndAccount(c, 'signup', email, 'sign-ups');
    // Hashed before looking for the email, so a taken one answers no sooner than a new one.
    const password_hash = await hashPassword(input.password, logN);
    const user = await insertAccount(db, { email, password_hash, time_zone: input.time_zone ?? 'UTC' });
    // Sign-up answers with a session, so it cannot hide that an email is taken; the per-IP limit above
    // bounds how fast anyone can ask.
    if (!user) throw conflict('An account with this email already exists; log in instead');
    afterResponse('verification email', () => sendVerification(user));
    return c.json(await startSession(c, user), 201);
  });

  handle('logIn', async function logInRoute(c, { body: input }) {
    const email = input.email.toLowerCase();
    await limitByIpAndAccount(c, 'login', email, 'log-in attempts');
    const user = await findAccountWithHash(db, { email });
    // The same answer, after the same work, for an unknown email and a wrong password.
    const ok = user
      ? await verifyPassword(input.password, user.password_hash)
      : await verifyAgainstDummy(input.password, logN);
    if (!user || !ok) throw unauthorized('Wrong email or password');
    await forgetAttempts(db, LIMITS.loginPerAccount, email);
    if (needsRehash(user.password_hash, logN)) {
      // An older, cheaper hash: store it again at the current cost, now that we have the password.
      await setPasswordHash(db, user.id, await hashPassword(input.password, logN), user.password_hash);
    }
    return c.json(await startSession(c, user));
  });

  handle('refreshSession', async function refreshRoute(c) {
    requireSameSite(c, config.APP_BASE_URL);
    const presented = getCookie(c, REFRESH_COOKIE);
    if (!presented) throw unauthorized('No session cookie; log in');
    const rotation = await rotateSession(db, presented, config.REFRESH_TTL_SECONDS);
    if (rotation.kind !== 'rotated') {
      clearRefreshCookie(c);
      if (rotation.kind === 'reused')
        deps.log.warn('auth: a refresh token was used twice; session revoked', {
          session: rotation.sessionId,
        });
      throw unauthorized('The session has ended; log in again');
    }
    const user = await findUser(rotation.userId);
    if (!user) throw unauthorized('The session has ended; log in again');
    setRefreshCookie(c, rotation.refreshToken);
    return c.json(await sessionBody(user, rotation.sessionId));
  });

  handle('logOut', async function logOutRoute(c) {
    const bearer = bearerToken(c.req.header('authorization'));
    if (bearer) {
      // Any still-valid access token of the session may end it (also one whose session already ended).
      const user = await authenticateToken(bearer, deps.jwtSecret, async () => true);
      await revokeSession(db, user.sid, user.id, 'logged out');
    } else {
      const presented = getCookie(c, REFRESH_COOKIE);
      if (!presented) throw unauthorized('Send the session cookie (with X-Todo-CSRF: 1) or a bearer token');
      requireSameSite(c, config.APP_BASE_URL);
      // An unknown or already-ended cookie: nothing to revoke, and the answer is the same.
      await revokeSessionByRefreshToken(db, presented, 'logged out');
    }
    clearRefreshCookie(c);
    return c.body(null, 204);
  });

  handle('logOutEverywhere', async function logOutEverywhereRoute(c) {
    await revokeUserSessions(db, c.var.user.id, 'logged out everywhere');
    clearRefreshCookie(c);
    return c.body(null, 204);
  });

  handle('changePassword', async function changePasswordRoute(c, { body: input }) {
    const current = await findAccountWithHash(db, { id: c.var.user.id });
    if (!current) throw unauthorized('The session has ended; log in again');
    // Guessing the current password here spends the same budget as guessing it at log-in.
    await limitByIpAndAccount(c, 'login', current.email.toLowerCase(), 'password attempts');
    if (!(await verifyPassword(input.current_password, current.password_hash)))
      throw fieldProblem('body.current_password', 'wrong password');
    const password_hash = await hashPassword(input.new_password, logN);
    await db.transaction().execute(async (trx) => {
      await setPasswordHash(trx, current.id, password_hash);
      await endAccountLinks(trx, current.id, 'password_reset');
      await revokeUserSessions(trx, current.id, 'password changed');
    });
    await forgetAttempts(db, LIMITS.loginPerAccount, current.email.toLowerCase());
    return c.json(await startSession(c, current));
  });

  handle('requestPasswordReset', async function requestPasswordResetRoute(c, { body: input }) {
    const email = input.email.toLowerCase();
    await limitByIpAndAccount(c, 'passwordReset', email, 'password reset requests');
    // The same 202 whether or not the address has an account; the lookup and mail happen after it.
    afterResponse('password reset email', async () => {
      const user = await findAccountWithHash(db, { email });
      if (!user) return;
      // Only the newest link works: an older one still in the inbox is ended.
      await endAccountLinks(db, user.id, 'password_reset');
      const token = await createAccountToken(db, user, 'password_reset', PASSWORD_RESET_TTL_SECONDS);
      await mailer.passwordReset(user.email, token);
    });
    return c.body(null, 202);
  });

  handle('confirmPasswordReset', async function confirmPasswordResetRoute(c, { body: input }) {
    const tokenHash = hashOpaqueToken(input.token);
    const invalid = 'This reset link is invalid, expired or already used; ask for a new one';
    // Checked before hashing, so a made-up token costs no scrypt.
    const link = await usableLink(db, tokenHash, 'password_reset');
    if (!link) throw badToken(invalid);
    const password_hash = await hashPassword(input.password, logN);
    await db.transaction().execute(async (trx) => {
      // The claim: of two confirmations with the same link, one wins.
      const claimed = await trx
        .updateTable('account_tokens')
        .set({ used_at: sql`now()` })
        .where('token_hash', '=', tokenHash)
        .where('used_at', 'is', null)
        .where('expires_at', '>', sql<Date>`now()`)
        .returning('user_id')
        .executeTakeFirst();
      if (!claimed) throw badToken(invalid);
      // The link was mailed to this address and followed: the address is proven, too.
      await proveAddress(trx, link.user_id, link.email, password_hash);
      await endAccountLinks(trx, link.user_id, 'password_reset');
      await revokeUserSessions(trx, link.user_id, 'password reset');
    });
    // Whoever was guessing the old password, the owner has just chosen a new one: let them log in.
    await forgetAttempts(db, LIMITS.loginPerAccount, link.email.toLowerCase());
    return c.body(null, 204);
  });

  handle('verifyEmail', async function verifyEmailRoute(c, { body: input }) {
    const tokenHash = hashOpaqueToken(input.token);
    // A used link is still accepted (within its time): opening the mail twice is not an error.
    const link = await usableLink(db, tokenHash, 'verify_email', { allowUsed: true });
    const invalid = 'This verification link is invalid or expired; ask for a new one';
    if (!link) throw badToken(invalid);
    await db.transaction().execute(async (trx) => {
      if (!(await proveAddress(trx, link.user_id, link.email))) throw badToken(invalid);
      await trx
        .updateTable('account_tokens')
        .set({ used_at: sql`coalesce(used_at, now())` })
        .where('token_hash', '=', tokenHash)
        .execute();
    });
    return c.body(null, 204);
  });

  handle('resendVerification', async function resendVerificationRoute(c) {
    const user = await findUser(c.var.user.id);
    if (!user) throw unauthorized('The session has ended; log in again');
    await limitByIpAndAccount(c, 'verifyResend', user.id, 'verification emails');
    if (!user.email_verified_at) afterResponse('verification email', () => sendVerification(user));
    return c.body(null, 202);
  });

  handle('whoAmI', async function whoAmIRoute(c) {
    const user = await findUser(c.var.user.id);
    if (!user) throw notFound('User');
    return c.json(meJson(user));
  });
  return app;
}

/** A mailed link's row when it is for `purpose`, not expired and (unless `allowUsed`) not used. */
function usableLink(
  db: Kysely<Database>,
  tokenHash: string,
  purpose: 'password_reset' | 'verify_email',
  opts: { allowUsed?: boolean } = {},
) {
  let q = db
    .selectFrom('account_tokens')
    .select(['user_id', 'email'])
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('expires_at', '>', sql<Date>`now()`);
  if (!opts.allowUsed) q = q.where('used_at', 'is', null);
  return q.executeTakeFirst();
}

/** Ends the user's outstanding links of one purpose (a new password makes reset links pointless). */
async function endAccountLinks(
  db: Kysely<Database>,
  userId: string,
  purpose: 'password_reset' | 'verify_email',
): Promise<void> {
  await db
    .updateTable('account_tokens')
    .set({ used_at: sql`now()` })
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .execute();
}

export default authApp;
