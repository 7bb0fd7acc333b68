import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { eventually, useTestDatabase } from '../../testing/database.ts';
import type { CloudEvent } from './events.ts';
import { createLogger } from './log.ts';
import { enqueueEvent } from './outbox.ts';
import { backoffMs, createOutboxRelay } from './outbox-relay.ts';
import type { EventPublisher } from './ports.ts';

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

  it('backs off exponentially, capped', () => {
    expect([1, 2, 3, 4].map((a) => backoffMs(a, 500, 60_000))).toEqual([500, 1000, 2000, 4000]);
    expect(backoffMs(40, 500, 60_000)).toBe(60_000);
  });
});
