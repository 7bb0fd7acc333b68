import { randomBytes, scrypt as scryptCb, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { MiddlewareHandler } from 'hono';
import type { Memberships } from '../projects/access.ts';
import { unauthorized } from '../runtime/errors.ts';
import { isUuid } from '../schemas.ts';
import { type ExpectedClaims, signHs256, verifyHs256 } from './jwt.ts';

const scrypt = promisify(scryptCb) as (
  pw: string,
  salt: Buffer,
  len: number,
  opts: object,
) => Promise<Buffer>;

/**
 * OWASP's current minimum for scrypt: N=2^17, r=8, p=1. One hash then needs 128 · N · r = 128 MiB of
 * memory (maxmem must allow it) and ~200 ms of one core. Hashes are stored with their parameters, so
 * older, cheaper ones still verify, and a login rehashes them at the current cost.
 */
export const SCRYPT_LOG_N = 17;
const SCRYPT_R = 8;
const SCRYPT_P = 1;
const KEY_LENGTH = 32;
/** Above the 128 MiB that N=2^17 needs; parameters beyond it (a tampered row) fail instead of allocating. */
const MAXMEM = 256 * 1024 * 1024;

/**
 * At most one hash at a time per process: each holds 128 MiB, and a function's container is limited to
 * 256 MiB. Concurrent logins queue here (and are rate-limited before they get here).
 */
let hashing: Promise<unknown> = Promise.resolve();
function oneAtATime<T>(work: () => Promise<T>): Promise<T> {
  const run = hashing.then(work, work);
  hashing = run.catch(() => {});
  return run;
}

function derive(password: string, salt: Buffer, length: number, N: number, r: number, p: number) {
  return oneAtATime(() => scrypt(password, salt, length, { N, r, p, maxmem: MAXMEM }));
}

/** `scrypt$N$r$p$salt$hash`, all parameters stored so they can be raised later. */
export async function hashPassword(password: string, logN = SCRYPT_LOG_N): Promise<string> {
  const N = 2 ** logN;
  const salt = randomBytes(16);
  const hash = await derive(password, salt, KEY_LENGTH, N, SCRYPT_R, SCRYPT_P);
  return ['scrypt', N, SCRYPT_R, SCRYPT_P, salt.toString('base64'), hash.toString('base64')].join('$');
}

export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [scheme, n, r, p, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  let actual: Buffer;
  try {
    actual = await derive(
      password,
      Buffer.from(salt, 'base64'),
      expected.length,
      Number(n),
      Number(r),
      Number(p),
    );
  } catch {
    return false; // parameters scrypt refuses (a damaged row): no match
  }
  return timingSafeEqual(expected, actual);
}

/** Whether a stored hash is cheaper than `logN` (or not ours): the next successful login rehashes it. */
export function needsRehash(stored: string, logN = SCRYPT_LOG_N): boolean {
  const [scheme, n, r, p] = stored.split('$');
  return scheme !== 'scrypt' || Number(n) < 2 ** logN || Number(r) < SCRYPT_R || Number(p) < SCRYPT_P;
}

let dummyHash: Promise<string> | undefined;
/**
 * Spends the same time as checking a real password, for a login with an unknown email: otherwise the
 * missing scrypt makes "no such account" answer ~200 ms sooner than "wrong password".
 */
export async function verifyAgainstDummy(password: string, logN = SCRYPT_LOG_N): Promise<false> {
  dummyHash ??= hashPassword(randomBytes(16).toString('hex'), logN);
  await verifyPassword(password, await dummyHash);
  return false;
}

export interface AuthUser {
  id: string;
  /** The session the access token belongs to (its `sid`). */
  sid: string;
  /** The caller's memberships, when the session check read them (FunctionAppOptions.readMemberships). */
  memberships?: Memberships;
}

/** Every access token names us as issuer and the API as audience; verification requires both. */
export const TOKEN_CLAIMS = { iss: 'todo', aud: 'todo-api' } as const satisfies ExpectedClaims;
/**
 * A stream ticket's audience: only the live stream accepts it, and the stream accepts no access token
 * in its URL, so a URL that ends up in a log or a proxy's history holds at most a minute of stream.
 */
export const STREAM_TICKET_CLAIMS = { iss: 'todo', aud: 'todo-stream' } as const satisfies ExpectedClaims;
export const STREAM_TICKET_TTL_SECONDS = 60;

/** A short-lived access token for `userId`'s session `sessionId` (checked on every request). */
export async function issueToken(
  userId: string,
  secret: string,
  ttlSeconds: number,
  sessionId: string,
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return signHs256({ ...TOKEN_CLAIMS, sub: userId, sid: sessionId, iat: now, exp: now + ttlSeconds }, secret);
}

/** A ticket for `GET /api/v1/notifications/stream?ticket=`: good for nothing else, for a minute. */
export function issueStreamTicket(
  user: AuthUser,
  secret: string,
  ttlSeconds = STREAM_TICKET_TTL_SECONDS,
): string {
  const now = Math.floor(Date.now() / 1000);
  return signHs256(
    { ...STREAM_TICKET_CLAIMS, sub: user.id, sid: user.sid, iat: now, exp: now + ttlSeconds },
    secret,
  );
}

/** Verifies one of our access tokens (signature, exp required, iss, aud); a JwtError otherwise. */
export function verifyAccessToken(token: string, secret: string) {
  return verifyHs256(token, secret, undefined, TOKEN_CLAIMS);
}

/**
 * Whether a session is still on (not logged out, not revoked, not expired): false, or true, or what the
 * check read about the caller in the same statement (their memberships).
 */
export type SessionCheck = (
  sessionId: string,
  userId: string,
) => Promise<boolean | { memberships: Memberships }>;

/**
 * The caller a token names, once its signature and claims verify (`audience` picks access token or
 * stream ticket) and its session is still on; a 401 otherwise.
 */
export async function authenticateToken(
  token: string,
  secret: string,
  sessionActive: SessionCheck,
  audience: ExpectedClaims = TOKEN_CLAIMS,
): Promise<AuthUser> {
  let claims: { sub?: unknown; sid?: unknown };
  try {
    claims = verifyHs256(token, secret, undefined, audience);
  } catch {
    throw unauthorized('The token is invalid or expired; log in again');
  }
  const { sub, sid } = claims;
  if (typeof sub !== 'string' || !isUuid(sub)) throw unauthorized('The token has no valid subject');
  if (typeof sid !== 'string' || !isUuid(sid)) throw unauthorized('The token names no session; log in again');
  const session = await sessionActive(sid, sub);
  if (!session) throw unauthorized('The session has ended; log in again');
  return session === true ? { id: sub, sid } : { id: sub, sid, memberships: session.memberships };
}

/** The bearer token of a request, if it sent one. */
export const bearerToken = (authorization: string | undefined) =>
  /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];

/**
 * Verifies the bearer token (and that its session is still on) and puts the caller on the context;
 * every query is then scoped to them.
 */
export function requireUser(
  secret: string,
  sessionActive: SessionCheck,
): MiddlewareHandler<{ Variables: { user: AuthUser } }> {
  return async function authenticate(c, next) {
    const token = bearerToken(c.req.header('authorization'));
    if (!token) throw unauthorized('Send a bearer token: Authorization: Bearer <token>');
    c.set('user', await authenticateToken(token, secret, sessionActive));
    await next();
  };
}
