import { createHash, randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { compiledOnce } from '../db/compiled-once.ts';
import type { AccountTokenPurpose, Database } from '../db/types.ts';
import { type Memberships, membershipArrays } from '../projects/access.ts';
import { issueToken } from './auth.ts';

/**
 * Sessions behind the short-lived access tokens. A log-in creates a row and a refresh token (32 random
 * bytes, base64url) that only its SHA-256 is stored of; each refresh swaps it for a new one. The access
 * token names the row (`sid`), and every request checks the row by primary key, so logging out, a
 * password change or a detected theft ends the session's access tokens at once, not when they expire.
 */

/** The HttpOnly cookie holding the refresh token; only the auth routes ever see it (its Path). */
export const REFRESH_COOKIE = 'todo_refresh';
export const REFRESH_COOKIE_PATH = '/api/v1/auth';
/**
 * Cookie-authenticated routes require this header: a page on another site can make the browser send the
 * cookie, but a custom header forces a CORS preflight that this API never answers, so it cannot.
 */
export const CSRF_HEADER = 'x-todo-csrf';

/** 32 random bytes: an opaque token for a cookie or a mailed link. */
export const newOpaqueToken = () => randomBytes(32).toString('base64url');
/** What is stored instead of the token: a database read does not hand out working tokens. */
export const hashOpaqueToken = (token: string) => createHash('sha256').update(token).digest('base64url');

const secondsFromNow = (seconds: number) => sql<Date>`now() + make_interval(secs => ${seconds})`;

export interface NewSession {
  sessionId: string;
  refreshToken: string;
}

/** A new session for `userId`, valid for `ttlSeconds` from its last refresh. */
export async function createSession(
  db: Kysely<Database>,
  userId: string,
  ttlSeconds: number,
): Promise<NewSession> {
  const refreshToken = newOpaqueToken();
  const row = await db
    .insertInto('sessions')
    .values({
      user_id: userId,
      refresh_hash: hashOpaqueToken(refreshToken),
      expires_at: secondsFromNow(ttlSeconds),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  // Housekeeping on the user's own rows (indexed by user): sessions long over are of no further use.
  await db
    .deleteFrom('sessions')
    .where('user_id', '=', userId)
    .where((eb) =>
      eb.or([
        eb('expires_at', '<', sql<Date>`now() - interval '1 day'`),
        eb('revoked_at', '<', sql<Date>`now() - interval '30 days'`),
      ]),
    )
    .execute();
  return { sessionId: row.id, refreshToken };
}

export type Rotation =
  | { kind: 'rotated'; sessionId: string; userId: string; refreshToken: string }
  /** The token had already been swapped: someone else holds a copy, so the whole session was revoked. */
  | { kind: 'reused'; sessionId: string }
  | { kind: 'invalid' };

/**
 * Swaps a refresh token for a new one (and extends the session). The swap is one conditional UPDATE,
 * so of two requests presenting the same token only one wins; the other then finds it as the
 * previous token, i.e. a reuse, and revokes the session — as for a stolen copy. Clients must refresh
 * one at a time.
 */
export async function rotateSession(
  db: Kysely<Database>,
  refreshToken: string,
  ttlSeconds: number,
): Promise<Rotation> {
  const presented = hashOpaqueToken(refreshToken);
  const next = newOpaqueToken();
  const rotated = await db
    .updateTable('sessions')
    .set({
      previous_hash: presented,
      refresh_hash: hashOpaqueToken(next),
      rotation: sql`rotation + 1`,
      rotated_at: sql`now()`,
      expires_at: secondsFromNow(ttlSeconds),
    })
    .where('refresh_hash', '=', presented)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning(['id', 'user_id'])
    .executeTakeFirst();
  if (rotated) return { kind: 'rotated', sessionId: rotated.id, userId: rotated.user_id, refreshToken: next };
  const reused = await db
    .updateTable('sessions')
    .set({ revoked_at: sql`now()`, revoked_reason: 'refresh token reused' })
    .where('previous_hash', '=', presented)
    .where('revoked_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return reused ? { kind: 'reused', sessionId: reused.id } : { kind: 'invalid' };
}

/** Ends one session of `userId` (a no-op when it is already over). */
export async function revokeSession(
  db: Kysely<Database>,
  sessionId: string,
  userId: string,
  reason: string,
): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ revoked_at: sql`now()`, revoked_reason: reason })
    .where('id', '=', sessionId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Ends the session whose current refresh token this is; false when there is none. */
export async function revokeSessionByRefreshToken(
  db: Kysely<Database>,
  refreshToken: string,
  reason: string,
): Promise<boolean> {
  const row = await db
    .updateTable('sessions')
    .set({ revoked_at: sql`now()`, revoked_reason: reason })
    .where('refresh_hash', '=', hashOpaqueToken(refreshToken))
    .where('revoked_at', 'is', null)
    .returning('id')
    .executeTakeFirst();
  return row !== undefined;
}

/** Ends every session of the user (log out everywhere, a new password). */
export async function revokeUserSessions(
  db: Kysely<Database>,
  userId: string,
  reason: string,
): Promise<number> {
  const result = await db
    .updateTable('sessions')
    .set({ revoked_at: sql`now()`, revoked_reason: reason })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/**
 * Whether the session an access token names is still on: one primary-key lookup, done on every
 * authenticated request (so revocation is immediate).
 */
export async function isSessionActive(db: Kysely<Database>, sessionId: string, userId: string) {
  return (await activeSession(db, sessionId, userId)).length > 0;
}

const activeSession = compiledOnce((db, sessionId: string, userId: string) =>
  db
    .selectFrom('sessions')
    .select(sql<number>`1`.as('on'))
    .where('id', '=', sessionId)
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`),
);

/**
 * The session check (isSessionActive) with the caller's project memberships read in the same statement:
 * null when the session is not on. For a handler that scopes by them (listTasks), one round trip fewer.
 */
export async function sessionWithMemberships(
  db: Kysely<Database>,
  sessionId: string,
  userId: string,
): Promise<Memberships | null> {
  const [row] = await activeSessionMemberships(db, sessionId, userId);
  return row ? { member: row.member, shared: row.shared } : null;
}

const activeSessionMemberships = compiledOnce((db, sessionId: string, userId: string) =>
  db
    .selectFrom('sessions as s')
    .leftJoin('project_members as pm', 'pm.user_id', 's.user_id')
    .leftJoin('projects as p', 'p.id', 'pm.project_id')
    .select(membershipArrays)
    .where('s.id', '=', sessionId)
    .where('s.user_id', '=', userId)
    .where('s.revoked_at', 'is', null)
    .where('s.expires_at', '>', sql<Date>`now()`)
    .groupBy('s.id'),
);

/** A new single-purpose link token for the user's address; only its hash is stored. */
export async function createAccountToken(
  db: Kysely<Database>,
  user: { id: string; email: string },
  purpose: AccountTokenPurpose,
  ttlSeconds: number,
): Promise<string> {
  const token = newOpaqueToken();
  await db
    .insertInto('account_tokens')
    .values({
      token_hash: hashOpaqueToken(token),
      user_id: user.id,
      purpose,
      email: user.email,
      expires_at: secondsFromNow(ttlSeconds),
    })
    .execute();
  await db
    .deleteFrom('account_tokens')
    .where('user_id', '=', user.id)
    .where('expires_at', '<', sql<Date>`now() - interval '1 day'`)
    .execute();
  return token;
}

/**
 * A new session and an access token for it, for callers with no password to log in with (the bench
 * seeds users straight into the table): the token works like a logged-in user's until `ttlSeconds`.
 */
export async function issueTokenForNewSession(
  db: Kysely<Database>,
  userId: string,
  secret: string,
  ttlSeconds: number,
): Promise<string> {
  const { sessionId } = await createSession(db, userId, ttlSeconds);
  return issueToken(userId, secret, ttlSeconds, sessionId);
}
