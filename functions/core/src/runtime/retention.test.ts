import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../testing/database.ts';
import { loadConfig } from './config.ts';
import { type RetentionPolicy, retentionBatch, retentionPolicy, runRetention } from './retention.ts';

const t = useTestDatabase();
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY);

const policy: RetentionPolicy = {
  outboxSentDays: 7,
  processedEventsDays: 14,
  auditLogDays: 365,
  deadLettersDays: 30,
  batchSize: 2,
  maxBatches: 100,
};

async function outboxRow(sentAt: Date | null, createdAt = ago(400)) {
  const id = randomUUID();
  await t.db
    .insertInto('outbox')
    .values({
      event_id: id,
      topic: 'task-events',
      partition_key: randomUUID(),
      event_type: 'TaskCreated.v1',
      cloud_event: JSON.stringify({ id }),
      created_at: createdAt,
      sent_at: sentAt,
    })
    .execute();
  return id;
}

async function processed(at: Date) {
  const id = randomUUID();
  await t.db
    .insertInto('processed_events')
    .values({ consumer: 'audit', event_id: id, processed_at: at })
    .execute();
  return id;
}

async function audit(at: Date) {
  const id = randomUUID();
  await t.db
    .insertInto('audit_log')
    .values({
      event_id: id,
      actor: 'test',
      event_type: 'TaskCreated.v1',
      occurred_at: at,
      before: JSON.stringify(null),
      after: JSON.stringify(null),
      recorded_at: at,
    })
    .execute();
  return id;
}

async function deadLetter(deadAt: Date, source: 'outbox' | 'consumer' = 'outbox') {
  const id = randomUUID();
  await t.db
    .insertInto('dead_letters')
    .values({
      source,
      consumer: source === 'consumer' ? 'audit' : null,
      event_id: id,
      topic: 'task-events',
      partition_key: source === 'outbox' ? randomUUID() : null,
      attempts: source === 'outbox' ? 10 : null,
      cloud_event: JSON.stringify({ id }),
      reason: 'x',
      dead_at: deadAt,
    })
    .execute();
  return id;
}

const left = async () => ({
  outbox: (await t.db.selectFrom('outbox').select('event_id').orderBy('id').execute()).map((r) => r.event_id),
  processed_events: (await t.db.selectFrom('processed_events').select('event_id').execute()).map(
    (r) => r.event_id,
  ),
  audit_log: (await t.db.selectFrom('audit_log').select('event_id').execute()).map((r) => r.event_id),
  dead_letters: (await t.db.selectFrom('dead_letters').select('event_id').execute()).map((r) => r.event_id),
});

beforeEach(async () => {
  for (const table of ['outbox', 'processed_events', 'audit_log', 'dead_letters'] as const)
    await t.db.deleteFrom(table).execute();
});

describe('retention', () => {
  it('deletes only rows past each table’s age — never an unsent outbox row — in batches, and reports counts', async () => {
    const oldSent = [await outboxRow(ago(8)), await outboxRow(ago(9)), await outboxRow(ago(30))];
    const keptOutbox = [await outboxRow(ago(6)), await outboxRow(null, ago(100))];
    for (let i = 0; i < 5; i++) await processed(ago(15));
    const keptProcessed = await processed(ago(13));
    await audit(ago(366));
    const keptAudit = await audit(ago(364));
    await deadLetter(ago(31));
    await deadLetter(ago(40), 'consumer');
    const keptDead = await deadLetter(ago(29));

    const report = await runRetention(t.db, policy);
    expect(report).toEqual({ outbox: 3, processed_events: 5, audit_log: 1, dead_letters: 2 });
    const after = await left();
    expect(after.outbox).toEqual(keptOutbox);
    expect(after.outbox).not.toContain(oldSent[0]);
    expect(after.processed_events).toEqual([keptProcessed]);
    expect(after.audit_log).toEqual([keptAudit]);
    expect(after.dead_letters).toEqual([keptDead]);
    expect(await runRetention(t.db, policy)).toEqual({
      outbox: 0,
      processed_events: 0,
      audit_log: 0,
      dead_letters: 0,
    });
  });

  it('bounds one run (batchSize × maxBatches per table), oldest first; the rest goes next run', async () => {
    const oldest = await processed(ago(40));
    for (let i = 0; i < 3; i++) await processed(ago(20));
    const report = await runRetention(t.db, { ...policy, batchSize: 2, maxBatches: 1 });
    expect(report.processed_events).toBe(2);
    expect((await left()).processed_events).not.toContain(oldest);
    expect((await runRetention(t.db, { ...policy, batchSize: 2, maxBatches: 1 })).processed_events).toBe(2);
    expect((await runRetention(t.db, { ...policy, batchSize: 2, maxBatches: 1 })).processed_events).toBe(0);
  });

  it('keeps a table whose age is 0', async () => {
    const kept = await audit(ago(5000));
    expect((await runRetention(t.db, { ...policy, auditLogDays: 0 })).audit_log).toBe(0);
    expect((await left()).audit_log).toEqual([kept]);
  });

  it('reads its policy from the configuration, with the documented defaults', () => {
    expect(retentionPolicy(loadConfig({}))).toEqual({
      outboxSentDays: 7,
      processedEventsDays: 14,
      auditLogDays: 365,
      deadLettersDays: 30,
      batchSize: 1000,
      maxBatches: 100,
    });
    expect(retentionPolicy(loadConfig({ RETENTION_AUDIT_LOG_DAYS: '0' })).auditLogDays).toBe(0);
  });

  it('finds each batch through an index on the table’s timestamp', async () => {
    const expected = {
      outbox: ['outbox', 'sent_at', 'outbox_sent_at'],
      processed_events: ['processed_events', 'processed_at', 'processed_events_processed_at'],
      audit_log: ['audit_log', 'recorded_at', 'audit_log_recorded_at'],
      dead_letters: ['dead_letters', 'dead_at', 'dead_letters_dead_at'],
    } as const;
    for (const [name, [table, column, index]] of Object.entries(expected)) {
      const key = name === 'processed_events' ? ['consumer', 'event_id'] : ['id'];
      // With sequential scans priced out the planner shows whether an index can serve the batch at all
      // (on a near-empty test table it would rightly prefer a scan).
      const plan = await t.db.transaction().execute(async (trx) => {
        await sql`set local enable_seqscan = off`.execute(trx);
        const batch = retentionBatch({ table, column, key, days: () => 1 }, 1, 100);
        const { rows } = await sql<{ 'QUERY PLAN': string }>`explain ${batch}`.execute(trx);
        return rows.map((r) => r['QUERY PLAN']).join('\n');
      });
      expect(plan, name).toContain(index);
      expect(plan, name).not.toMatch(/Seq Scan/);
    }
  });
});
