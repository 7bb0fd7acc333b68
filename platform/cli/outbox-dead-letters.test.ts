// `todo-platform dlq outbox` on a real Postgres: the relay dead-letters a row it cannot publish, the
// command lists it and moves it back into the outbox in one transaction, and the relay then sends it.
import { randomUUID } from 'node:crypto';
import { createLogger } from '@todo/core/runtime/log';
import { enqueueEvent } from '@todo/core/runtime/outbox';
import { createOutboxRelay } from '@todo/core/runtime/outbox-relay';
import type { EventPublisher } from '@todo/core/runtime/ports';
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../functions/testing/database.ts';
import { PlatformError } from './kube.ts';
import { main } from './main.ts';
import { replayOutboxDeadLetters } from './outbox-dead-letters.ts';

const t = useTestDatabase();
const log = createLogger('silent');

const lines: string[] = [];
async function platform(...args: string[]) {
  lines.length = 0;
  const original = console.log;
  console.log = (line: string) => lines.push(...String(line).split('\n'));
  try {
    return await main(['dlq', 'outbox', ...args, '--database-url', t.url]);
  } finally {
    console.log = original;
  }
}

const reminder = (taskId: string) => ({
  user_id: randomUUID(),
  task_id: taskId,
  title: 't',
  due_at: new Date().toISOString(),
  offset_minutes: 0,
  remind_at: new Date().toISOString(),
  occurrence_key: 'k',
});

/** Writes one event per key and has the relay give up on those of `poisoned` (2 tries, others go through). */
async function deadLettered(poisoned: string[], healthy = randomUUID()) {
  const ids: string[] = [];
  for (const key of [...poisoned, healthy])
    ids.push(
      await t.db
        .transaction()
        .execute((trx) =>
          enqueueEvent(trx, 'ReminderDue.v1', reminder(key), { source: 'test', subject: key }),
        ),
    );
  const failing = new Set(poisoned);
  const sent: string[] = [];
  const publisher: EventPublisher = {
    async publish(_topic, event) {
      if (failing.has(event.subject ?? '')) throw new Error(`no topic for ${event.subject}`);
      sent.push(event.id);
    },
  };
  const relay = createOutboxRelay({ db: t.db, publisher, log, maxAttempts: 2 });
  for (let i = 0; i < 2; i++) {
    await relay.drainOnce();
    await t.db
      .updateTable('outbox')
      .set({ next_attempt_at: sql`now()` })
      .where('sent_at', 'is', null)
      .execute();
  }
  return { ids, relay, sent, failing };
}

beforeEach(async () => {
  await t.db.deleteFrom('dead_letters').execute();
  await t.db.deleteFrom('outbox').execute();
});

describe('dlq outbox', () => {
  it('lists the events the relay gave up on, with key, attempts and the last error', async () => {
    const key = randomUUID();
    const { ids } = await deadLettered([key]);
    expect(await platform('list')).toBe(0);
    expect(lines[0]).toMatch(/^ID\s+DEAD AT\s+TOPIC\s+KEY\s+ATTEMPTS\s+EVENT\s+LAST ERROR$/);
    expect(lines).toHaveLength(2);
    const cells = lines[1]!.split(/\s{2,}/);
    expect(cells.slice(2)).toEqual(['reminders', key, '2', ids[0], `no topic for ${key}`]);
  });

  it('replays by id: the event is back in the outbox (its dead letter gone) and the relay publishes it', async () => {
    const [a, b] = [randomUUID(), randomUUID()];
    const { ids, relay, sent, failing } = await deadLettered([a, b]);
    const dead = await t.db.selectFrom('dead_letters').select(['id', 'event_id']).orderBy('id').execute();
    expect(dead.map((d) => d.event_id)).toEqual([ids[0], ids[1]]);

    expect(await platform('replay', dead[0]!.id)).toBe(0);
    expect(lines).toContain('replayed 1 outbox dead letter(s) into the outbox');
    const left = await t.db.selectFrom('dead_letters').select('event_id').execute();
    expect(left.map((d) => d.event_id)).toEqual([ids[1]]);
    const queued = await t.db
      .selectFrom('outbox')
      .select(['partition_key', 'event_type', 'attempts', 'sent_at'])
      .where('event_id', '=', ids[0]!)
      .executeTakeFirstOrThrow();
    expect(queued).toEqual({ partition_key: a, event_type: 'ReminderDue.v1', attempts: 0, sent_at: null });

    failing.clear();
    await relay.drainOnce();
    expect(sent).toContain(ids[0]);

    // An id that is not (or no longer) an outbox dead letter: said so, exit 1, nothing else touched.
    expect(await platform('replay', dead[0]!.id)).toBe(1);
    expect(lines.at(-1)).toBe(`not outbox dead letters (or replayed already): ${dead[0]!.id}`);
  });

  it('replays --all, and leaves a consumer’s dead letter (embedded bus) alone', async () => {
    await deadLettered([randomUUID(), randomUUID(), randomUUID()]);
    await t.db
      .insertInto('dead_letters')
      .values({
        event_id: randomUUID(),
        topic: 'task-events',
        consumer: 'audit',
        cloud_event: JSON.stringify({ id: 'x' }),
        reason: 'consumer replied DROP',
      })
      .execute();
    expect(await platform('replay', '--all')).toBe(0);
    expect(lines).toContain('replayed 3 outbox dead letter(s) into the outbox');
    expect(await t.db.selectFrom('dead_letters').select('source').execute()).toEqual([
      { source: 'consumer' },
    ]);
    expect(await t.db.selectFrom('outbox').select('id').where('sent_at', 'is', null).execute()).toHaveLength(
      3,
    );
  });

  it('moves and deletes in one transaction: a failed insert keeps the dead letter', async () => {
    const { ids } = await deadLettered([randomUUID()]);
    const [dead] = await t.db.selectFrom('dead_letters').select('id').execute();
    // A dead letter that holds no valid CloudEvent is refused after the delete ran: it must roll back.
    await t.db
      .updateTable('dead_letters')
      .set({ cloud_event: JSON.stringify({ id: ids[0] }) })
      .where('id', '=', dead!.id)
      .execute();
    await expect(replayOutboxDeadLetters(t.db, [dead!.id])).rejects.toThrow(PlatformError);
    expect(await t.db.selectFrom('dead_letters').select('id').execute()).toEqual([{ id: dead!.id }]);
  });

  it('prints its usage for a bad command, and needs a database', async () => {
    expect(await platform('purge')).toBe(2);
    expect(lines.join('\n')).toMatch(/^Usage: .* dlq outbox \[list\]/);
    expect(await platform('replay')).toBe(2);
    expect(await platform('replay', '1', '--all')).toBe(2);
    await expect(
      main(['dlq', 'outbox', 'list', '--database-url', 'postgres://nobody@127.0.0.1:1/x']),
    ).rejects.toThrow(/Could not reach Postgres/);
  });
});
