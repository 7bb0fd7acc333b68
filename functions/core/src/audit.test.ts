import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { countingStatements, useTestDatabase } from '../../testing/database.ts';
import { type AuditEntry, auditRecorder } from './audit.ts';

const t = useTestDatabase();

const entry = (over: Partial<AuditEntry> = {}): AuditEntry => ({
  event_id: randomUUID(),
  user_id: null,
  actor: 'system:test',
  event_type: 'TaskCreated.v1',
  entity_id: randomUUID(),
  occurred_at: new Date().toISOString(),
  before: null,
  after: { title: 'x' },
  ...over,
});

const recorded = (ids: string[]) =>
  t.db.selectFrom('audit_log').select('event_id').where('event_id', 'in', ids).execute();

describe('auditRecorder', () => {
  it('records entries asked for in one turn with one statement, each caller told about its own', async () => {
    const { db, seen } = countingStatements(t.db);
    const record = auditRecorder(db);
    const [a, b] = [entry(), entry()];
    // b twice in the batch, and once more after it: recorded once, by the first caller.
    expect(await Promise.all([record(a), record(b), record(b)])).toEqual([true, true, false]);
    expect(seen.statements).toBe(1);
    expect(await record(b)).toBe(false);
    expect(seen.statements).toBe(2);
    expect(await recorded([a.event_id, b.event_id])).toHaveLength(2);
  });

  // coalesced() runs a failed batch again entry by entry: here against the real table.
  it('one bad entry fails only its own caller: the rest of its batch is recorded', async () => {
    const record = auditRecorder(t.db);
    const [a, bad, c] = [entry(), entry({ user_id: 'not-a-uuid' }), entry()];
    const results = await Promise.allSettled([record(a), record(bad), record(c)]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await recorded([a.event_id, bad.event_id, c.event_id])).toHaveLength(2);
  });
});
