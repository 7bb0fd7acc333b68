import { type Kysely, sql } from 'kysely';
import { backgroundLoop, listenToChannel } from './background.ts';
import type { Database } from './db/types.ts';
import { CloudEvent } from './events.ts';
import type { Logger } from './log.ts';
import { OUTBOX_CHANNEL } from './outbox.ts';
import type { EventPublisher } from './ports.ts';

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
}

export interface OutboxRelay {
  start(): Promise<void>;
  /** Stops claiming, lets the round in flight finish (publishes and marks), closes the LISTEN connection. */
  stop(): Promise<void>;
  /** One claim-publish-mark round; returns how many rows it published. For tests and benchmarks. */
  drainOnce(): Promise<number>;
}

interface ClaimedRow {
  id: string;
  event_id: string;
  topic: string;
  partition_key: string;
  cloud_event: unknown;
  attempts: number;
}

/** Capped exponential backoff: base · 2^(attempts−1), at most max. */
export function backoffMs(attempts: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.min(Math.max(attempts - 1, 0), 30));
}

/**
 * Publishes outbox rows in id order and marks them sent. At-least-once: a row is marked only after its
 * publish succeeded, so a crash between the two republishes it (consumers are idempotent).
 *
 * Per-partition-key order: a row is claimed only when no earlier row with the same key is still unsent,
 * so a failing row holds back every later event of that task until it goes out, and no two rows of one
 * key are ever in flight together — which is also why a round can publish all its rows in parallel.
 * `for update skip locked` lets several relays (a rollout's old and new clock pod) share the table.
 */
export function createOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { db, publisher, log } = options;
  const batchSize = options.batchSize ?? 100;
  const base = options.baseBackoffMs ?? 500;
  const max = options.maxBackoffMs ?? 60_000;

  async function drainOnce(): Promise<number> {
    return db.transaction().execute(async (trx) => {
      const { rows } = await sql<ClaimedRow>`
        select o.id, o.event_id, o.topic, o.partition_key, o.cloud_event, o.attempts
        from outbox o
        where o.sent_at is null
          and o.next_attempt_at <= now()
          and not exists (
            select 1 from outbox e
            where e.partition_key = o.partition_key and e.sent_at is null and e.id < o.id)
        order by o.id
        limit ${batchSize}
        for update skip locked`.execute(trx);
      if (!rows.length) return 0;

      const results = await Promise.all(
        rows.map(async (row) => {
          try {
            await publisher.publish(row.topic, CloudEvent.parse(row.cloud_event), {
              attempt: row.attempts + 1,
            });
            return { row, error: undefined };
          } catch (e) {
            return { row, error: e instanceof Error ? e.message : String(e) };
          }
        }),
      );

      const sent = results.filter((r) => r.error === undefined).map((r) => r.row.id);
      if (sent.length) {
        await trx
          .updateTable('outbox')
          .set({ sent_at: sql`now()`, last_error: null })
          .where('id', 'in', sent)
          .execute();
      }
      for (const { row, error } of results) {
        if (error === undefined) continue;
        const attempts = row.attempts + 1;
        const delay = backoffMs(attempts, base, max);
        log.warn('outbox: publish failed; will retry', {
          event: row.event_id,
          topic: row.topic,
          attempts,
          retryInMs: delay,
          err: error,
        });
        await trx
          .updateTable('outbox')
          .set({
            attempts,
            next_attempt_at: sql`now() + ${`${delay} milliseconds`}::interval`,
            last_error: error.slice(0, 2000),
          })
          .where('id', '=', row.id)
          .execute();
      }
      return sent.length;
    });
  }

  /**
   * When nothing was claimable, sleep until the earliest held key's retry falls due (bounded by the poll).
   * Rows due now but locked by another relay give 0: wait a little rather than spin.
   */
  async function nextDueInMs(): Promise<number | false> {
    const { rows } = await sql<{ ms: string | null }>`
      select extract(epoch from (min(o.next_attempt_at) - now())) * 1000 as ms
      from outbox o
      where o.sent_at is null
        and not exists (
          select 1 from outbox e
          where e.partition_key = o.partition_key and e.sent_at is null and e.id < o.id)`.execute(db);
    const ms = rows[0]?.ms;
    return ms == null ? false : Math.max(25, Math.ceil(Number(ms)));
  }

  const loop = backgroundLoop({
    name: 'outbox relay',
    log,
    idleMs: options.pollMs ?? 1000,
    tick: async () => ((await drainOnce()) > 0 ? true : nextDueInMs()),
  });
  let listener: ReturnType<typeof listenToChannel> | undefined;

  return {
    drainOnce,
    async start() {
      if (options.databaseUrl) {
        listener = listenToChannel({
          databaseUrl: options.databaseUrl,
          channel: OUTBOX_CHANNEL,
          onNotify: () => loop.wake(),
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
    },
  };
}
