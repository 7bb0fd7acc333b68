import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../testing/database.ts';
import {
  cancelScheduled,
  claimSending,
  isSendingHeld,
  listReceipts,
  markCancelled,
  markDelivered,
  markFailed,
  markFired,
  markNotSent,
  markScheduled,
  markSent,
  type Occurrence,
  releaseSending,
} from './receipts.ts';

const t = useTestDatabase();
let userId: string;

beforeAll(async () => {
  const user = await t.db
    .insertInto('users')
    .values({ email: `${randomUUID()}@example.com`, password_hash: 'x' })
    .returning('id')
    .executeTakeFirstOrThrow();
  userId = user.id;
});

/** A fresh occurrence of a fresh task, meant for a minute ago. */
const occurrence = (): Occurrence => ({
  userId,
  taskId: randomUUID(),
  occurrenceKey: '2030-01-01T09:00:00.000Z/15',
  scheduledFor: new Date(Date.now() - 60_000),
});

async function statuses(o: Occurrence): Promise<Record<string, string>> {
  const rows = await listReceipts(t.db, o.userId, o.taskId);
  return Object.fromEntries(rows.map((r) => [r.channel, r.status]));
}

/** Puts the email receipt of `o` in `status` directly (the start state of a transition under test). */
async function emailIn(o: Occurrence, status: 'scheduled' | 'fired' | 'sent' | 'failed' | 'cancelled') {
  await markScheduled(t.db, o);
  await t.db
    .updateTable('reminder_deliveries')
    .set({ status })
    .where('task_id', '=', o.taskId)
    .where('channel', '=', 'email')
    .execute();
}

describe('receipts: each transition, guarded in SQL', () => {
  it('markScheduled: none → scheduled on every channel; cancelled → scheduled; never re-arms one that went out', async () => {
    const o = occurrence();
    expect(await markScheduled(t.db, o)).toHaveLength(2);
    expect(await statuses(o)).toEqual({ email: 'scheduled', in_app: 'scheduled' });
    await markCancelled(t.db, { ...o, detail: 'skipped' });
    expect(await markScheduled(t.db, o)).toHaveLength(2);
    await markFired(t.db, o, new Date());
    expect(await markScheduled(t.db, o)).toEqual([]);
    expect(await statuses(o)).toEqual({ email: 'fired', in_app: 'fired' });
  });

  it('markCancelled / cancelScheduled: scheduled → cancelled; a fired receipt stays fired', async () => {
    const o = occurrence();
    expect(await markCancelled(t.db, { ...o, detail: 'skipped' })).toHaveLength(2);
    expect(await statuses(o)).toEqual({ email: 'cancelled', in_app: 'cancelled' });
    const p = occurrence();
    await markScheduled(t.db, p);
    expect(await cancelScheduled(t.db, p.taskId, [p.occurrenceKey], 'moved')).toHaveLength(2);
    expect(await cancelScheduled(t.db, p.taskId, [p.occurrenceKey], 'moved')).toEqual([]);
    const q = occurrence();
    await markFired(t.db, q, new Date());
    expect(await markCancelled(t.db, { ...q, detail: 'skipped' })).toEqual([]);
    expect(await cancelScheduled(t.db, q.taskId, [q.occurrenceKey], 'moved')).toEqual([]);
    expect(await statuses(q)).toEqual({ email: 'fired', in_app: 'fired' });
  });

  it('markFired: none | scheduled | cancelled → fired with lateness; a second firing is a no-op', async () => {
    const o = occurrence();
    await markScheduled(t.db, o);
    const fired = await markFired(t.db, o, new Date());
    expect(fired.map((r) => r.status)).toEqual(['fired', 'fired']);
    expect(fired[0]!.lateness_ms).toBeGreaterThanOrEqual(60_000);
    expect(await markFired(t.db, o, new Date())).toEqual([]);
    const fresh = occurrence();
    expect(await markFired(t.db, fresh, new Date())).toHaveLength(2);
    const cancelled = occurrence();
    await markCancelled(t.db, { ...cancelled, detail: 'stale' });
    expect(await markFired(t.db, cancelled, new Date())).toHaveLength(2);
  });

  it('markFired: no channel fires again once any receipt of the occurrence went out', async () => {
    const o = occurrence();
    await markFired(t.db, o, new Date());
    await markDelivered(t.db, o);
    await markNotSent(t.db, o, 'email is off');
    expect(await statuses(o)).toEqual({ email: 'cancelled', in_app: 'sent' });
    expect(await markFired(t.db, o, new Date())).toEqual([]);
    expect(await statuses(o)).toEqual({ email: 'cancelled', in_app: 'sent' });
  });

  it('markDelivered (in-app): none | scheduled | fired → sent; a finished receipt is left alone', async () => {
    const o = occurrence();
    expect((await markDelivered(t.db, o))?.status).toBe('sent');
    const p = occurrence();
    await markFired(t.db, p, new Date());
    expect((await markDelivered(t.db, p))?.sent_at).toBeInstanceOf(Date);
    const q = occurrence();
    await markCancelled(t.db, { ...q, detail: 'skipped' });
    expect(await markDelivered(t.db, q)).toBeUndefined();
    expect(await statuses(q)).toEqual({ email: 'cancelled', in_app: 'cancelled' });
  });

  it('claimSending: none | scheduled | fired → sending with a lease; a live lease is not taken, an ended one is', async () => {
    const o = occurrence();
    const claim = await claimSending(t.db, o);
    expect(claim?.status).toBe('sending');
    expect(claim!.locked_until!.getTime()).toBeGreaterThan(Date.now());
    expect(await claimSending(t.db, o)).toBeUndefined();
    expect(await isSendingHeld(t.db, o)).toBe(true);
    await t.db
      .updateTable('reminder_deliveries')
      .set({ locked_until: sql<Date>`now() - interval '1 second'` })
      .where('task_id', '=', o.taskId)
      .execute();
    expect((await claimSending(t.db, o))?.status).toBe('sending');
    for (const from of ['scheduled', 'fired'] as const) {
      const p = occurrence();
      await emailIn(p, from);
      expect((await claimSending(t.db, p))?.status, from).toBe('sending');
    }
  });

  it('claimSending: a sent, failed or cancelled email is never claimed again', async () => {
    for (const from of ['sent', 'failed', 'cancelled'] as const) {
      const o = occurrence();
      await emailIn(o, from);
      expect(await claimSending(t.db, o), from).toBeUndefined();
      expect(await isSendingHeld(t.db, o), from).toBe(false);
      expect((await statuses(o)).email, from).toBe(from);
    }
  });

  it('markSent / markFailed / releaseSending: only from sending, and each clears the lease', async () => {
    const o = occurrence();
    await claimSending(t.db, o);
    const sent = await markSent(t.db, o, 'resend id 1');
    expect(sent).toMatchObject({ status: 'sent', detail: 'resend id 1', locked_until: null });
    expect(sent!.lateness_ms).toBeGreaterThanOrEqual(60_000);
    expect(await markFailed(t.db, o, 'late failure')).toBeUndefined();
    expect(await releaseSending(t.db, o, 'retrying')).toBeUndefined();
    expect((await statuses(o)).email).toBe('sent');

    const p = occurrence();
    await claimSending(t.db, p);
    expect(await markFailed(t.db, p, '422')).toMatchObject({ status: 'failed', locked_until: null });
    expect(await markSent(t.db, p, 'resend id 2')).toBeUndefined();

    const q = occurrence();
    await claimSending(t.db, q);
    expect(await releaseSending(t.db, q, 'retrying: 500')).toMatchObject({
      status: 'fired',
      locked_until: null,
    });
    expect(await markSent(t.db, q, 'resend id 3')).toBeUndefined();
    expect((await claimSending(t.db, q))?.status).toBe('sending');
  });

  it('markNotSent (email): none | scheduled | fired → cancelled; not while sending or after sent', async () => {
    for (const from of ['scheduled', 'fired'] as const) {
      const o = occurrence();
      await emailIn(o, from);
      expect((await markNotSent(t.db, o, 'email is off'))?.status, from).toBe('cancelled');
    }
    expect((await markNotSent(t.db, occurrence(), 'email is off'))?.status).toBe('cancelled');
    const sending = occurrence();
    await claimSending(t.db, sending);
    expect(await markNotSent(t.db, sending, 'email is off')).toBeUndefined();
    const sent = occurrence();
    await emailIn(sent, 'sent');
    expect(await markNotSent(t.db, sent, 'email is off')).toBeUndefined();
  });

  it('the API shape lists every receipt with ISO instants', async () => {
    const o = occurrence();
    await claimSending(t.db, o);
    const [email] = await listReceipts(t.db, o.userId, o.taskId);
    expect(email).toMatchObject({ channel: 'email', status: 'sending', fired_at: expect.any(String) });
    expect(Object.keys(email!)).not.toContain('locked_until');
  });
});
