import { createHash } from 'node:crypto';
import type { Context } from 'hono';
import { CompiledQuery, type Kysely } from 'kysely';
import rateLimiterFlexible, { type RateLimiterRes } from 'rate-limiter-flexible';
import type { Database } from '../db/types.ts';
import { ProblemError } from './errors.ts';

/**
 * Rate limits shared by every replica: rate-limiter-flexible's Postgres store on the `rate_limits` table
 * (migration 0004), queried through the function's own pool. Each rule is a fixed window of `points`
 * per `durationSeconds` per key (an account id or email, or a client IP).
 */
export interface LimitRule {
  name: string;
  points: number;
  durationSeconds: number;
}

export const LIMITS = {
  /**
   * The 11th log-in attempt for one account within a minute is refused; a successful log-in, password
   * change or reset starts the count again (the owner has proved themselves), so only a run of guesses
   * is limited, never someone who logs in often.
   */
  loginPerAccount: { name: 'login-account', points: 10, durationSeconds: 60 },
  loginPerIp: { name: 'login-ip', points: 60, durationSeconds: 60 },
  signupPerAccount: { name: 'signup-account', points: 5, durationSeconds: 3600 },
  signupPerIp: { name: 'signup-ip', points: 20, durationSeconds: 3600 },
  /**
   * Password-reset mails: per address asked for (known or not, so a 429 says nothing about the account)
   * and per client IP; each one is a mail in someone's inbox.
   */
  passwordResetPerAccount: { name: 'reset-account', points: 5, durationSeconds: 3600 },
  passwordResetPerIp: { name: 'reset-ip', points: 20, durationSeconds: 3600 },
  /** Verification mails sent again on request, per account and per client IP. */
  verifyResendPerAccount: { name: 'verify-resend-account', points: 5, durationSeconds: 3600 },
  verifyResendPerIp: { name: 'verify-resend-ip', points: 20, durationSeconds: 3600 },
  /** Model calls: each chat turn with a model configured. */
  chatPerAccount: { name: 'chat-account', points: 20, durationSeconds: 60 },
  chatPerAccountDaily: { name: 'chat-account-day', points: 500, durationSeconds: 86_400 },
  chatPerIp: { name: 'chat-ip', points: 60, durationSeconds: 60 },
  /**
   * Calendar feed fetches (the public `.ics` route) per client IP: calendar apps poll every few minutes
   * at most, so 60 a minute leaves room for a household or an office behind one address.
   */
  calendarFeedPerIp: { name: 'calendar-feed-ip', points: 60, durationSeconds: 60 },
  /** Reminder emails per user per day; past it the in-app notification still arrives. */
  reminderEmailsPerAccount: { name: 'email-account-day', points: 100, durationSeconds: 86_400 },
} as const satisfies Record<string, LimitRule>;

const { RateLimiterPostgres } = rateLimiterFlexible;
type Limiter = InstanceType<typeof RateLimiterPostgres>;

/** What the library calls on a `pool` store: `query({ text, values })` → `{ rows, rowCount }`. */
function kyselyStore(db: Kysely<Database>) {
  return {
    async query(q: { text: string; values?: readonly unknown[] }) {
      const result = await db.executeQuery<Record<string, unknown>>(
        CompiledQuery.raw(q.text, [...(q.values ?? [])]),
      );
      const rowCount =
        result.numAffectedRows === undefined ? result.rows.length : Number(result.numAffectedRows);
      return { rows: result.rows, rowCount };
    },
  };
}

const limiters = new WeakMap<Kysely<Database>, Map<string, Limiter>>();

function limiterFor(db: Kysely<Database>, rule: LimitRule): Limiter {
  let byRule = limiters.get(db);
  if (!byRule) {
    byRule = new Map();
    limiters.set(db, byRule);
  }
  let limiter = byRule.get(rule.name);
  if (!limiter) {
    limiter = new RateLimiterPostgres({
      storeClient: kyselyStore(db),
      storeType: 'pool',
      tableName: 'rate_limits',
      tableCreated: true,
      keyPrefix: rule.name,
      points: rule.points,
      duration: rule.durationSeconds,
    });
    byRule.set(rule.name, limiter);
  }
  return limiter;
}

/** Keys are stored hashed: bounded length (the column is varchar(255)) and no emails or IPs at rest. */
const storedKey = (key: string) => createHash('sha256').update(key.toLowerCase()).digest('base64url');

const isLimited = (e: unknown): e is RateLimiterRes =>
  !!e && typeof e === 'object' && 'msBeforeNext' in e && !(e instanceof Error);

/**
 * Counts one attempt against every rule whose key is known (a rule with no key, such as a per-IP rule
 * when the client address is unknown, is skipped), and throws a 429 with `Retry-After` when any of
 * them is spent. Every rule is counted even when another one refuses.
 */
export async function enforceLimits(
  db: Kysely<Database>,
  checks: { rule: LimitRule; key: string | undefined }[],
  what = 'requests',
): Promise<void> {
  const results = await Promise.allSettled(
    checks.filter((c) => c.key).map((c) => limiterFor(db, c.rule).consume(storedKey(c.key!))),
  );
  let waitMs = 0;
  for (const r of results) {
    if (r.status === 'fulfilled') continue;
    if (!isLimited(r.reason)) throw r.reason;
    waitMs = Math.max(waitMs, r.reason.msBeforeNext);
  }
  if (results.some((r) => r.status === 'rejected')) {
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    throw new ProblemError(429, `Too many ${what}; try again in ${seconds} s`, undefined, {
      'Retry-After': String(seconds),
    });
  }
}

/** Forgets what `key` has spent of `rule` (its window starts again at the next attempt). */
export async function forgetAttempts(db: Kysely<Database>, rule: LimitRule, key: string): Promise<void> {
  await limiterFor(db, rule).delete(storedKey(key));
}

/** Whether `key` may spend one more point of `rule` (counted); false when spent, without throwing. */
export async function tryConsume(db: Kysely<Database>, rule: LimitRule, key: string): Promise<boolean> {
  try {
    await limiterFor(db, rule).consume(storedKey(key));
    return true;
  } catch (e) {
    if (isLimited(e)) return false;
    throw e;
  }
}

/**
 * The client's address as the nearest proxy saw it: the last `X-Forwarded-For` entry (the one the
 * ingress controller appended; earlier entries are whatever the client sent), else `X-Real-IP`.
 * Undefined when the request came through no proxy (the embedded runner, tests): per-IP rules skip it.
 */
export function clientIp(c: Context): string | undefined {
  const forwarded = c.req.header('x-forwarded-for');
  const last = forwarded
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .at(-1);
  return last ?? (c.req.header('x-real-ip')?.trim() || undefined);
}
