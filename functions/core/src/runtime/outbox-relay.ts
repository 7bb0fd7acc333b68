import { type Kysely, sql } from 'kysely';
import type { Database } from '../db/types.ts';
import { CloudEvent, TOPICS } from '../events.ts';
import { backgroundLoop, listenToChannel } from './background.ts';
import type { Logger } from './log.ts';
import { OUTBOX_CHANNEL } from './outbox.ts';
import type { EventPublisher } from './ports.ts';
import { backoffMs } from './time.ts';

export interface OutboxRelayOptions {
  db: Kysely<Database>;
  publisher: EventPublisher;
  log: Logger;
  /** For the LISTEN connection; without it the relay only polls. */
  databaseUrl?: string;
  /** Rows claimed per round (default 100). */
  batchSize?: number;
  /** Poll fallback when no NOTIFY arrives (default 1000 ms). */
  pollMs?: number;
  /** Retry delay after the first failure, doubled per attempt up to maxBackoffMs (defaults 500 ms, 60 s). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Failed publishes after which a row moves to dead_letters and its key's later rows go (default 10,
   * OUTBOX_MAX_ATTEMPTS) — but only while the broker is taking other events (see deadLetterOrRetry).
   */
  maxAttempts?: number;
  /** How long a claimed row is held for its publish before another relay may take it (default 60 s). */
  leaseMs?: number;
  /**
   * After a round that took the events of several writes (STREAM_WRITES), the next round starts no sooner
   * than this long after it began (default 100 ms; see gatherUntil). Otherwise the next goes as soon as
   * it is due.
   */
  gatherMs?: number;
  /**
   * Topics whose events never open a gathering window (default: reminders). A reminder goes off at a time
   * its user chose, so a burst of them (many due in the same minute) is delivered round after round;
   * task events feed bookkeeping (the audit log, reminder jobs, the next occurrence) that can wait 100 ms.
   */
  urgentTopics?: readonly string[];
}

/**
 * The writes a round must take for the next one to gather (see gatherUntil). One user's chain (a
 * completion, the next occurrence it creates, the next completion) can put two in a round, and then each
 * link waits out a window: the recurrence bench's p50 was 17–36 ms in most runs and 100 ms in one on a
 * slow host. Three would spare that chain, but under the load bench's mix at 180 req/s a round without a
 * window rarely took three, so it gathered almost never and saved nothing (A/B: Postgres CPU per request
 * 3.2 against 3.0 ms; with two, 2.4). Two it is: the chain's target (p99 ≤ 500 ms) has room for a window.
 */
const STREAM_WRITES = 2;

/** What this relay did since it was made; `deadLettered` is also logged with `metric: 'outbox_dead_lettered'`. */
export interface OutboxRelayCounters {
  published: number;
  failed: number;
  deadLettered: number;
}

export interface OutboxRelay {
  start(): Promise<void>;
  /** Stops claiming, lets the round in flight finish (publishes and marks), closes the LISTEN connection. */
  stop(): Promise<void>;
  /** One claim-publish-mark round; returns how many rows it published. For tests and benchmarks. */
  drainOnce(): Promise<number>;
  counters(): Readonly<OutboxRelayCounters>;
}

/** The stable field of the log line written for each dead-lettered row (alert on it in the log pipeline). */
export const DEAD_LETTER_METRIC = 'outbox_dead_lettered';

/**
 * The first unsent row of each partition key — the only row of its key that may go out — in one pass over
 * the unsent rows (the partial index outbox_unsent_by_key). Not as "no earlier unsent row of its key", a
 * correlated anti-join: the outbox empties between bursts, so its statistics often say nothing is unsent,
 * and with them the planner ran that anti-join as a nested loop over every unsent row for each unsent row.
 * A 7,300-row backlog (the load bench's no-pause pass) then took 54 s per claim, and the relay never caught
 * up. This stays linear in the backlog whatever the statistics say (45 ms for that backlog).
 */
const UNSENT_HEADS = sql`(
  select distinct on (e.partition_key) e.id, e.next_attempt_at
  from outbox e
  where e.sent_at is null
  order by e.partition_key, e.id)`;

interface ClaimedRow {
  id: string;
  event_id: string;
  topic: string;
  partition_key: string;
  cloud_event: unknown;
  attempts: number;
  /** Its transaction's start (the column's default, `now()`): rows of one write share it. */
  created_at: Date;
}

type Outcome = { row: ClaimedRow; error: undefined } | { row: ClaimedRow; error: string };

/**
 * Publishes outbox rows in id order and marks them sent. At-least-once: a row is marked only after its
 * publish succeeded, so a crash between the two republishes it (consumers are idempotent).
 *
 * No transaction is open while publishing (an HTTP call to the sidecar, up to 10 s): a claim is one
 * statement that moves the rows' `next_attempt_at` to a lease (`for update skip locked` inside it, so
 * several relays — a rollout's old and new clock pod — never claim the same row), and the marks after
 * the publishes are single statements that apply only while that lease still holds. A relay that dies
 * mid-round leaves its rows to be claimed again when the lease runs out.
 *
 * Per-partition-key order: a row is claimed only when no earlier row with the same key is still unsent
 * (a claimed row is unsent), so a failing row holds back every later event of that task until it goes
 * out or is dead-lettered, and no two rows of one key are ever in flight together — which is also why a
 * round can publish all its rows in parallel.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, publisher, log } = options;
  const batchSize = options.batchSize ?? 100;
  const base = options.baseBackoffMs ?? 500;
  const max = options.maxBackoffMs ?? 60_000;
  const maxAttempts = options.maxAttempts ?? 10;
  const leaseMs = options.leaseMs ?? 60_000;
  const gatherMs = options.gatherMs ?? 100;
  const urgentTopics = new Set(options.urgentTopics ?? [TOPICS.reminders]);
  const counters: OutboxRelayCounters = { published: 0, failed: 0, deadLettered: 0 };
  /** When a publish last succeeded (ms since the epoch): tells a poison row from a broker outage. */
  let lastPublishedAt: number | undefined;
  /**
   * Until when (ms since the epoch) new rows wait to be gathered into one round. Every round costs a
   * claim and a mark, and in `npm start` each consumer's batch is what one round delivers (the audit
   * insert, schedule-reminder's read: core/src/runtime/coalesce.ts). Woken per NOTIFY, a steady stream of
   * writes gave one round per event: 4 statements per event on the event side alone. A round that
   * took the events of STREAM_WRITES writes or more says writes are committing faster than rounds go,
   * so the next one gathers for `gatherMs`; a smaller round says they are not, and the next event goes at
   * once, so a product in ordinary use delivers each event as soon as it is committed.
   */
  let gatherUntil = 0;
  let gatherTimer: NodeJS.Timeout | undefined;
  /** How long the gathering window has left (≤ 0: none is open). */
  const gatheringLeftMs = () => gatherUntil - Date.now();

  /**
   * Claims due rows for this round under `lease` (also their new next_attempt_at), oldest first: the due
   * heads (`UNSENT_HEADS`), then each one locked, skipping any another relay holds and re-checking that
   * it is still unsent and due once locked.
   */
  async function claim(lease: Date): Promise<ClaimedRow[]> {
    const { rows } = await sql<ClaimedRow>`
      update outbox o set next_attempt_at = ${lease}
      where o.id in (
        select c.id from outbox c
        where c.id = any(array(
            select h.id from ${UNSENT_HEADS} h
            where h.next_attempt_at <= now()
            order by h.id
            limit ${batchSize}))
          and c.sent_at is null
          and c.next_attempt_at <= now()
        for update skip locked)
      returning o.id, o.event_id, o.topic, o.partition_key, o.cloud_event, o.attempts, o.created_at`.execute(
      db,
    );
    return rows.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
  }

  async function publish(row: ClaimedRow): Promise<Outcome> {
    try {
      await publisher.publish(row.topic, CloudEvent.parse(row.cloud_event), { attempt: row.attempts + 1 });
      return { row, error: undefined };
    } catch (e) {
      return { row, error: e instanceof Error ? e.message : String(e) };
    }
  }

  /**
   * A failed publish: retry after backoff, or, at maxAttempts, move the row to dead_letters (one
   * statement: the delete and the insert commit together) so its task's later events can go.
   *
   * Only while the broker is demonstrably up — a publish of an earlier round succeeded within the last
   * maxBackoffMs (`upBefore`) — is a row given up on: during an outage every row fails, and dead-lettering
   * them all would turn "a broker outage delays events" into "a broker outage reorders them and needs a
   * replay". Those rows keep retrying, and one still failing after others went through is dead-lettered
   * then. Successes of the same round do not count: as a broker comes back, some partitions answer
   * before others, and a row failing beside the first successes gets one more backoff.
   */
  async function deadLetterOrRetry(
    row: ClaimedRow,
    error: string,
    lease: Date,
    upBefore: number | undefined,
  ): Promise<void> {
    const attempts = row.attempts + 1;
    counters.failed++;
    const brokerUp = upBefore !== undefined && Date.now() - upBefore <= max;
    if (attempts >= maxAttempts && brokerUp) {
      const { rows } = await sql<{ id: string }>`
        with moved as (
          delete from outbox
          where id = ${row.id} and next_attempt_at = ${lease} and sent_at is null
          returning event_id, topic, partition_key, cloud_event, created_at)
        insert into dead_letters
          (source, event_id, topic, partition_key, cloud_event, attempts, reason, created_at)
        select 'outbox', event_id::text, topic, partition_key, cloud_event, ${attempts}, ${error.slice(0, 2000)},
          created_at
        from moved
        returning id`.execute(db);
      if (rows.length) {
        counters.deadLettered++;
        log.error('outbox: publish kept failing; moved the event to dead_letters', {
          metric: DEAD_LETTER_METRIC,
          deadLetter: rows[0]!.id,
          event: row.event_id,
          topic: row.topic,
          key: row.partition_key,
          attempts,
          err: error,
        });
      }
      return;
    }
    const delay = backoffMs(attempts, base, max);
    log.warn('outbox: publish failed; will retry', {
      event: row.event_id,
      topic: row.topic,
      attempts,
      retryInMs: delay,
      err: error,
    });
    await db
      .updateTable('outbox')
      .set({
        attempts,
        next_attempt_at: sql`now() + ${`${delay} milliseconds`}::interval`,
        last_error: error.slice(0, 2000),
      })
      .where('id', '=', row.id)
      .where(sql<boolean>`next_attempt_at = ${lease}`)
      .execute();
  }

  /** What one round did: rows claimed, published and failed, and whether more rows are due now. */
  interface Round {
    claimed: number;
    published: number;
    failed: number;
    more: boolean;
  }

  /**
   * Marks the round's published rows sent (while its lease holds) and, in the same statement, asks
   * whether any other unsent row is due now: one round trip, where a second claim would find out the same
   * with two (the claim, then the next-due query when it comes back empty). A row held back only by one
   * of these rows counts, so the next event of the same task goes out in the next round.
   */
  async function markSent(sent: string[], lease: Date): Promise<boolean> {
    const { rows } = await sql<{ more: boolean }>`
      with marked as (
        update outbox set sent_at = now(), last_error = null
        where id = any(${sent}::bigint[]) and next_attempt_at = ${lease}
        returning id)
      select exists (
        select 1 from outbox o
        where o.sent_at is null and o.next_attempt_at <= now() and o.id <> all(${sent}::bigint[])
      ) as more`.execute(db);
    return rows[0]?.more ?? true;
  }

  /**
   * How many writes (transactions) the rows came from: rows of one write share their `created_at`.
   * Counted by write, not by row: one write with several events (a completed occurrence's next one) is
   * no stream.
   */
  const writesIn = (rows: ClaimedRow[]) => new Set(rows.map((r) => r.created_at.getTime())).size;

  async function round(): Promise<Round> {
    const startedAt = Date.now();
    // Gathering: the window runs from this round's start, so that what commits while it claims waits too
    // (woken at once, the next round would take just that and end the window).
    if (gatherUntil) gatherUntil = startedAt + gatherMs;
    // A JS Date (millisecond precision) as the lease, so it compares equal when the marks apply.
    const lease = new Date(startedAt + leaseMs);
    const upBefore = lastPublishedAt;
    const rows = await claim(lease);
    // An empty round (a NOTIFY for rows a round already took) says nothing about the rate: it keeps the window.
    if (!rows.length) return { claimed: 0, published: 0, failed: 0, more: false };
    const stream = writesIn(rows) >= STREAM_WRITES && !rows.some((r) => urgentTopics.has(r.topic));
    gatherUntil = stream ? startedAt + gatherMs : 0;
    // The window closes: what was told to wait for it goes now.
    if (!stream && gatherTimer) {
      clearTimeout(gatherTimer);
      gatherTimer = undefined;
      loop.wake();
    }

    const results = await Promise.all(rows.map(publish));
    const sent = results.filter((r) => r.error === undefined).map((r) => r.row.id);
    let more = true;
    if (sent.length) {
      lastPublishedAt = Date.now();
      counters.published += sent.length;
      more = await markSent(sent, lease);
    }
    for (const r of results)
      if (r.error !== undefined) await deadLetterOrRetry(r.row, r.error, lease, upBefore);
    return { claimed: rows.length, published: sent.length, failed: rows.length - sent.length, more };
  }

  async function drainOnce(): Promise<number> {
    return (await round()).published;
  }

  /**
   * When nothing was claimable, sleep until the earliest held key's retry falls due (bounded by the poll).
   * Rows due now but locked by another relay give 0: wait a little rather than spin.
   */
  async function nextDueInMs(): Promise<number | false> {
    const { rows } = await sql<{ ms: string | null }>`
      select extract(epoch from (min(h.next_attempt_at) - now())) * 1000 as ms
      from ${UNSENT_HEADS} h`.execute(db);
    const ms = rows[0]?.ms;
    return ms == null ? false : Math.max(25, Math.ceil(Number(ms)));
  }

  /** Wakes the loop now, or once the gathering window of the last round has passed (see gatherUntil). */
  function wakeAfterGathering() {
    const wait = gatheringLeftMs();
    if (wait <= 0) return loop.wake();
    gatherTimer ??= setTimeout(() => {
      gatherTimer = undefined;
      loop.wake();
    }, wait);
  }

  const loop = backgroundLoop({
    name: 'outbox relay',
    log,
    idleMs: options.pollMs ?? 1000,
    tick: async () => {
      const r = await round();
      // Nothing claimable, or rows put back for a retry: sleep until the earliest retry falls due.
      if (!r.claimed || r.failed) return r.published > 0 ? true : nextDueInMs();
      // A full round: a backlog, which gathers itself; go on at once.
      if (r.claimed >= batchSize) return true;
      // All went out: go again only if the mark saw more due (after the gathering window); otherwise
      // the next NOTIFY (or the poll) wakes the loop, and no empty claim is spent finding out there is
      // nothing to do.
      if (!r.more) return false;
      const wait = gatheringLeftMs();
      return wait > 0 ? wait : true;
    },
  });
  let listener: ReturnType<typeof listenToChannel> | undefined;

  return {
    drainOnce,
    counters: () => ({ ...counters }),
    async start() {
      if (options.databaseUrl) {
        listener = listenToChannel({
          databaseUrl: options.databaseUrl,
          channel: OUTBOX_CHANNEL,
          onNotify: wakeAfterGathering,
          // Anything committed while we were not listening is found by this catch-up nudge.
          onListening: () => loop.wake(),
          log,
        });
        // Bounded: with Postgres briefly unreachable the poll still runs.
        await Promise.race([listener.ready, new Promise((r) => setTimeout(r, 5000))]);
      }
      loop.start();
    },
    async stop() {
      await loop.stop();
      await listener?.close();
      clearTimeout(gatherTimer);
    },
  };
}
