import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { eventually, useTestDatabase } from '../../../testing/database.ts';
import type { CloudEvent } from '../events.ts';
import { createLogger } from './log.ts';
import { enqueueEvent } from './outbox.ts';
import { createOutboxRelay, DEAD_LETTER_METRIC, type OutboxRelayOptions } from './outbox-relay.ts';
import type { EventPublisher } from './ports.ts';
import { backoffMs } from './time.ts';

const t = useTestDatabase();
const log = createLogger('silent');

/** A publisher that records what it got and fails for the keys in `failing`. */
function recordingPublisher(failing = new Set<string>()) {
  const got: { topic: string; event: CloudEvent }[] = [];
  const publisher: EventPublisher = {
    async publish(topic, event) {
      if (failing.has(event.subject ?? '')) throw new Error(`broker says no to ${event.subject}`);
      got.push({ topic, event });
    },
  };
  return { publisher, got, failing };
}

function reminder(taskId: string) {
  return {
    user_id: randomUUID(),
    task_id: taskId,
    title: 't',
    due_at: new Date().toISOString(),
    offset_minutes: 0,
    remind_at: new Date().toISOString(),
    occurrence_key: 'k',
  };
}

async function enqueue(key: string): Promise<string> {
  return t.db
    .transaction()
    .execute((trx) => enqueueEvent(trx, 'ReminderDue.v1', reminder(key), { source: 'test', subject: key }));
}

async function clearOutbox() {
  await t.db.deleteFrom('outbox').execute();
  await t.db.deleteFrom('dead_letters').execute();
}

/** Makes every backing-off row due now, as if its retry delay had passed. */
async function retryNow() {
  await t.db
    .updateTable('outbox')
    .set({ next_attempt_at: sql`now()` })
    .where('sent_at', 'is', null)
    .execute();
}

/** Client sessions on this database holding a transaction open while they wait on their application. */
async function openTransactions(): Promise<number> {
  const { rows } = await sql<{ n: number }>`
    select count(*)::int as n from pg_stat_activity
    where datname = current_database() and backend_type = 'client backend'
      and state like 'idle in transaction%'`.execute(t.db);
  return rows[0]!.n;
}

/** A relay woken by NOTIFY only (the poll is an hour), gathering as `gathering` says. */
function listeningRelay(
  publisher: EventPublisher,
  gathering: Pick<OutboxRelayOptions, 'gatherMs' | 'urgentTopics'>,
) {
  return createOutboxRelay({ db: t.db, publisher, log, databaseUrl: t.url, pollMs: 3_600_000, ...gathering });
}

/** A logger that keeps its entries, to read the dead-letter line back. */
function recordingLog() {
  const lines: { level: string; msg: string; fields: Record<string, unknown> }[] = [];
  const at =
    (level: string) =>
    (msg: string, fields: Record<string, unknown> = {}) => {
      lines.push({ level, msg, fields });
    };
  return { lines, log: { info: at('info'), warn: at('warn'), error: at('error') } };
}

describe('outbox relay', () => {
  it('publishes unsent rows in id order with their topic, and marks them sent', async () => {
    await clearOutbox();
    const { publisher, got } = recordingPublisher();
    const ids = [await enqueue(randomUUID()), await enqueue(randomUUID()), await enqueue(randomUUID())];
    const relay = createOutboxRelay({ db: t.db, publisher, log });
    expect(await relay.drainOnce()).toBe(3);
    expect(got.map((g) => g.event.id)).toEqual(ids);
    expect(got.every((g) => g.topic === 'reminders')).toBe(true);
    const unsent = await t.db.selectFrom('outbox').select('id').where('sent_at', 'is', null).execute();
    expect(unsent).toEqual([]);
    expect(await relay.drainOnce()).toBe(0);
  });

  it('publishes one key’s events one at a time, oldest first', async () => {
    await clearOutbox();
    const { publisher, got } = recordingPublisher();
    const key = randomUUID();
    const ids = [await enqueue(key), await enqueue(key), await enqueue(key)];
    const relay = createOutboxRelay({ db: t.db, publisher, log });
    while ((await relay.drainOnce()) > 0);
    expect(got.map((g) => g.event.id)).toEqual(ids);
  });

  it('on failure records attempts, backoff and the error, and holds later rows of the same key only', async () => {
    await clearOutbox();
    const bad = randomUUID();
    const good = randomUUID();
    const { publisher, got, failing } = recordingPublisher(new Set([bad]));
    const badFirst = await enqueue(bad);
    const badSecond = await enqueue(bad);
    const goodId = await enqueue(good);
    const relay = createOutboxRelay({ db: t.db, publisher, log, baseBackoffMs: 60_000 });
    expect(await relay.drainOnce()).toBe(1);
    expect(got.map((g) => g.event.id)).toEqual([goodId]);

    const row = await t.db
      .selectFrom('outbox')
      .select([
        'attempts',
        'last_error',
        'sent_at',
        sql<boolean>`next_attempt_at > now() + interval '50 seconds'`.as('backedOff'),
      ])
      .where('event_id', '=', badFirst)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ attempts: 1, sent_at: null, backedOff: true });
    expect(row.last_error).toContain('broker says no');
    // Neither the failed row (backing off) nor the one behind it goes out.
    expect(await relay.drainOnce()).toBe(0);

    // The broker is back and the retry falls due: both go out, in order.
    failing.clear();
    await t.db
      .updateTable('outbox')
      .set({ next_attempt_at: sql`now()` })
      .where('event_id', '=', badFirst)
      .execute();
    while ((await relay.drainOnce()) > 0);
    expect(got.map((g) => g.event.id)).toEqual([goodId, badFirst, badSecond]);
  });

  it('wakes on NOTIFY from a committed write (the poll is an hour), never for a rolled-back one', async () => {
    await clearOutbox();
    const { publisher, got } = recordingPublisher();
    const relay = createOutboxRelay({ db: t.db, publisher, log, databaseUrl: t.url, pollMs: 3_600_000 });
    await relay.start();
    try {
      await t.db
        .transaction()
        .execute(async (trx) => {
          await enqueueEvent(trx, 'ReminderDue.v1', reminder(randomUUID()), { source: 'test', subject: 'x' });
          throw new Error('roll back');
        })
        .catch(() => {});
      const id = await enqueue(randomUUID());
      await eventually('the committed event is published', async () => got.some((g) => g.event.id === id));
      expect(got).toHaveLength(1);
    } finally {
      await relay.stop();
    }
  });

  it('running, sends a key’s held-back events on at once, without waiting for the poll (an hour)', async () => {
    await clearOutbox();
    const { publisher, got } = recordingPublisher();
    const key = randomUUID();
    // One commit, one NOTIFY: the second and third rows are held back behind the first, and only the
    // round's "more due?" answer (not another NOTIFY) can send them on.
    const ids = await t.db.transaction().execute(async (trx) => {
      const out: string[] = [];
      for (let i = 0; i < 3; i++)
        out.push(await enqueueEvent(trx, 'ReminderDue.v1', reminder(key), { source: 'test', subject: key }));
      return out;
    });
    const relay = createOutboxRelay({ db: t.db, publisher, log, databaseUrl: t.url, pollMs: 3_600_000 });
    await relay.start();
    try {
      await eventually('all three published', async () => got.length === 3);
      expect(got.map((g) => g.event.id)).toEqual(ids);
    } finally {
      await relay.stop();
    }
  });

  it('gathers the events of writes committed just after a round of several writes; after one write’s, goes at once', async () => {
    await clearOutbox();
    // Each publish is tagged with its round: one round's publishes all start in the same turn.
    const got: { id: string; round: number }[] = [];
    let round = 0;
    let turnOpen = false;
    const publisher: EventPublisher = {
      async publish(_topic, event) {
        if (!turnOpen) {
          turnOpen = true;
          setImmediate(() => {
            round++;
            turnOpen = false;
          });
        }
        got.push({ id: event.id, round });
      },
    };
    const roundOf = (id: string) => got.find((g) => g.id === id)?.round;
    const lone = listeningRelay(publisher, { gatherMs: 3_600_000, urgentTopics: [] });
    await lone.start();
    try {
      // One write with several events (a completed occurrence and its next one) opens no window, however
      // long it would be: the next write's event goes on its NOTIFY.
      const several = await t.db
        .transaction()
        .execute(async (trx) => [
          await enqueueEvent(trx, 'ReminderDue.v1', reminder(randomUUID()), { source: 'test', subject: 'a' }),
          await enqueueEvent(trx, 'ReminderDue.v1', reminder(randomUUID()), { source: 'test', subject: 'b' }),
          await enqueueEvent(trx, 'ReminderDue.v1', reminder(randomUUID()), { source: 'test', subject: 'c' }),
        ]);
      await eventually('one write’s three events', async () =>
        several.every((id) => roundOf(id) !== undefined),
      );
      const next = await enqueue(randomUUID());
      await eventually('the next write’s event', async () => roundOf(next) !== undefined);
    } finally {
      await lone.stop();
    }

    const relay = listeningRelay(publisher, { gatherMs: 1_500, urgentTopics: [] });
    // Three writes committed before it starts: its first round takes them all, a stream.
    const three = [await enqueue(randomUUID()), await enqueue(randomUUID()), await enqueue(randomUUID())];
    await relay.start();
    try {
      await eventually('the first three', async () => three.every((id) => roundOf(id) !== undefined));
      // Two commits, two NOTIFYs, right after a round of three writes: one round takes both.
      const next = [await enqueue(randomUUID()), await enqueue(randomUUID())];
      await eventually('the next two', async () => next.every((id) => roundOf(id) !== undefined));
      expect(new Set(three.map(roundOf)).size).toBe(1);
      expect(roundOf(next[0]!)).toBe(roundOf(next[1]!));
      expect(roundOf(next[0]!)).toBeGreaterThan(roundOf(three[0]!)!);
    } finally {
      await relay.stop();
    }
  });

  it('never opens a gathering window for a round of reminders, however many writes it took', async () => {
    await clearOutbox();
    const { publisher, got } = recordingPublisher();
    // Three writes queued before it starts, so its first round takes them all (the events are ReminderDue).
    for (let i = 0; i < 3; i++) await enqueue(randomUUID());
    const relay = listeningRelay(publisher, { gatherMs: 3_600_000 });
    await relay.start();
    try {
      await eventually('the first three reminders', async () => got.length === 3);
      const next = await enqueue(randomUUID());
      await eventually('the next reminder, at once', async () => got.some((g) => g.event.id === next));
    } finally {
      await relay.stop();
    }
  });

  it('stop() lets the round in flight finish and mark its rows', async () => {
    await clearOutbox();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let entered: () => void = () => {};
    const inFlight = new Promise<void>((r) => {
      entered = r;
    });
    const publisher: EventPublisher = {
      async publish() {
        entered();
        await gate;
      },
    };
    const id = await enqueue(randomUUID());
    const relay = createOutboxRelay({ db: t.db, publisher, log, databaseUrl: t.url });
    await relay.start();
    await inFlight;
    const stopped = relay.stop();
    release();
    await stopped;
    const row = await t.db
      .selectFrom('outbox')
      .select('sent_at')
      .where('event_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row.sent_at).not.toBeNull();
  });

  it('never lets two relays publish the same row, and keeps per-key order between them', async () => {
    await clearOutbox();
    const { publisher, got } = recordingPublisher();
    const keys = Array.from({ length: 5 }, () => randomUUID());
    const expected: Record<string, string[]> = {};
    for (let i = 0; i < 4; i++)
      for (const k of keys) {
        expected[k] = [...(expected[k] ?? []), await enqueue(k)];
      }
    const a = createOutboxRelay({ db: t.db, publisher, log, batchSize: 3 });
    const b = createOutboxRelay({ db: t.db, publisher, log, batchSize: 3 });
    const drain = async (r: typeof a) => {
      while ((await r.drainOnce()) > 0);
    };
    for (let i = 0; i < 10; i++) await Promise.all([drain(a), drain(b)]);
    expect(got).toHaveLength(20);
    expect(new Set(got.map((g) => g.event.id)).size).toBe(20);
    for (const k of keys)
      expect(got.filter((g) => g.event.subject === k).map((g) => g.event.id)).toEqual(expected[k]);
  });

  it('publishes with no transaction open (the publish is an HTTP call to the sidecar)', async () => {
    await clearOutbox();
    const seen: number[] = [];
    const publisher: EventPublisher = {
      async publish() {
        seen.push(await openTransactions());
      },
    };
    await enqueue(randomUUID());
    await enqueue(randomUUID());
    const relay = createOutboxRelay({ db: t.db, publisher, log });
    expect(await relay.drainOnce()).toBe(2);
    expect(seen).toEqual([0, 0]);
  });

  it('holds a claimed row under a lease: another relay skips it, and takes it once the lease ran out', async () => {
    await clearOutbox();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow: EventPublisher = { publish: () => gate };
    const id = await enqueue(randomUUID());
    const a = createOutboxRelay({ db: t.db, publisher: slow, log, leaseMs: 60_000 });
    const round = a.drainOnce();
    await eventually('a has claimed the row', async () => {
      const row = await t.db
        .selectFrom('outbox')
        .select(sql<boolean>`next_attempt_at > now() + interval '30 seconds'`.as('leased'))
        .where('event_id', '=', id)
        .executeTakeFirstOrThrow();
      return row.leased;
    });
    const { publisher, got } = recordingPublisher();
    const b = createOutboxRelay({ db: t.db, publisher, log });
    expect(await b.drainOnce()).toBe(0);

    // a's process "died" mid-publish: once its lease runs out b publishes the row, and a's late mark
    // (its lease no longer holds) changes nothing.
    await retryNow();
    expect(await b.drainOnce()).toBe(1);
    expect(got.map((g) => g.event.id)).toEqual([id]);
    const sentByB = await t.db
      .selectFrom('outbox')
      .select('sent_at')
      .where('event_id', '=', id)
      .executeTakeFirstOrThrow();
    release();
    await round;
    const after = await t.db
      .selectFrom('outbox')
      .select('sent_at')
      .where('event_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(after.sent_at).toEqual(sentByB.sent_at);
  });

  it('after maxAttempts failed publishes moves the row to dead_letters and lets its key’s later events go', async () => {
    await clearOutbox();
    const bad = randomUUID();
    const { publisher, got, failing } = recordingPublisher(new Set([bad]));
    const { lines, log: recorded } = recordingLog();
    const poison = await enqueue(bad);
    const next = await enqueue(bad);
    const relay = createOutboxRelay({ db: t.db, publisher, log: recorded, maxAttempts: 3 });
    // Another task's events go through meanwhile: the broker is up, so the failures are this row's own.
    for (let i = 0; i < 3; i++) {
      await enqueue(randomUUID());
      await relay.drainOnce();
      await retryNow();
    }
    expect(got.map((g) => g.event.id)).not.toContain(poison);

    const [dead] = await t.db.selectFrom('dead_letters').selectAll().execute();
    expect(dead).toMatchObject({
      source: 'outbox',
      consumer: null,
      event_id: poison,
      topic: 'reminders',
      partition_key: bad,
      attempts: 3,
      reason: `broker says no to ${bad}`,
    });
    expect(dead!.cloud_event).toMatchObject({ id: poison, subject: bad, type: 'ReminderDue.v1' });
    expect(dead!.dead_at.getTime()).toBeGreaterThanOrEqual(dead!.created_at.getTime());
    expect(
      await t.db.selectFrom('outbox').select('id').where('event_id', '=', poison).executeTakeFirst(),
    ).toBeUndefined();

    // The task's later event is no longer held back by it.
    failing.clear();
    while ((await relay.drainOnce()) > 0);
    expect(got.at(-1)?.event.id).toBe(next);

    expect(relay.counters()).toMatchObject({ deadLettered: 1, failed: 3 });
    const line = lines.find((l) => l.fields.metric === DEAD_LETTER_METRIC);
    expect(line).toMatchObject({
      level: 'error',
      fields: { event: poison, topic: 'reminders', key: bad, attempts: 3, deadLetter: dead!.id },
    });
  });

  it('does not dead-letter during a broker outage (nothing goes through), only once others do again', async () => {
    await clearOutbox();
    const keys = [randomUUID(), randomUUID()];
    const { publisher, got, failing } = recordingPublisher(new Set(keys));
    const ids = [await enqueue(keys[0]!), await enqueue(keys[1]!)];
    const relay = createOutboxRelay({ db: t.db, publisher, log, maxAttempts: 2 });
    for (let i = 0; i < 4; i++) {
      await relay.drainOnce();
      await retryNow();
    }
    expect(await t.db.selectFrom('dead_letters').select('id').execute()).toEqual([]);
    const attempts = await t.db
      .selectFrom('outbox')
      .select('attempts')
      .where('event_id', 'in', ids)
      .execute();
    expect(attempts.map((a) => a.attempts)).toEqual([4, 4]);

    // The broker is back for one task but the other's row still fails. Not in the round of the first
    // success (a broker coming back answers for some partitions first), but on its next try.
    failing.delete(keys[0]!);
    await relay.drainOnce();
    expect(got.map((g) => g.event.id)).toEqual([ids[0]]);
    expect(await t.db.selectFrom('dead_letters').select('id').execute()).toEqual([]);
    await retryNow();
    await relay.drainOnce();
    const dead = await t.db.selectFrom('dead_letters').select(['event_id', 'attempts']).execute();
    expect(dead).toEqual([{ event_id: ids[1], attempts: 6 }]);
  });

  it('backs off exponentially, capped', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, 500, 60_000))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffMs(40, 500, 60_000)).toBe(60_000);
  });
});
