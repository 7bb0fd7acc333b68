import { randomUUID } from 'node:crypto';
import { sleep } from '@todo/core/runtime/time';
import { TaskCreate } from '@todo/core/schemas';
import { createTask } from '@todo/core/tasks/task-writes';
import { sql } from 'kysely';
import type { LocalStack } from '../local/stack.ts';
import { type BenchRow, ms, percentile } from './stats.ts';

export interface ReminderBenchOptions {
  /** Reminders that fall due (default 1,000). */
  count?: number;
  /** The window they all fall due in (default 10 s). */
  windowMs?: number;
  /** Time between creating the tasks and the window opening, for the jobs to be scheduled (default 30 s). */
  leadMs?: number;
  /** How long after the window closes a reminder may still arrive before it counts as missed (default 30 s). */
  graceMs?: number;
}

/**
 * Reminder lateness, embedded mode: `count` tasks whose reminders fall due within the same `windowMs`,
 * through the whole chain as it runs for `npm start` — outbox relay → schedule-reminder → durable jobs
 * in Postgres → local job runner → clock → ReminderDue → notify → in-app notification. Lateness is the
 * in-app receipt's `sent_at − scheduled_for` (notification stored, i.e. visible in the centre and pushed),
 * and also the clock's fire lateness. The reference is the due time itself (0 ms late).
 *
 * Needs `stack` with its background relay and job runner running (createLocalStack's default).
 */
export async function benchReminderLateness(
  stack: LocalStack,
  options: ReminderBenchOptions = {},
): Promise<BenchRow[]> {
  const count = options.count ?? 1000;
  const windowMs = options.windowMs ?? 10_000;
  const leadMs = options.leadMs ?? 30_000;
  const graceMs = options.graceMs ?? 30_000;
  const { db } = stack;
  const user = await db
    .insertInto('users')
    .values({ email: `bench-reminders-${randomUUID()}@bench.local`, password_hash: 'x' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const userId = user.id;
  try {
    const windowStart = Date.now() + leadMs;
    const ctx = { db, userId, source: 'bench' };
    // Evenly spread over the window; offset 0, so each reminder is due at its task's due time.
    const dues = Array.from(
      { length: count },
      (_, i) => new Date(windowStart + Math.floor((i * windowMs) / count)),
    );
    for (let i = 0; i < count; i += 20) {
      await Promise.all(
        dues
          .slice(i, i + 20)
          .map((due, j) =>
            createTask(
              ctx,
              TaskCreate.parse({ title: `Reminder ${i + j}`, due_at: due.toISOString(), reminders: [0] }),
            ),
          ),
      );
    }
    const countIn = async (statuses: string[]) => {
      const { rows } = await sql<{ n: number }>`
        select count(*)::int as n from reminder_deliveries
        where user_id = ${userId} and channel = 'in_app' and status = any(${statuses})`.execute(db);
      return rows[0]?.n ?? 0;
    };
    while (Date.now() < windowStart && (await countIn(['scheduled', 'fired', 'sent'])) < count)
      await sleep(200);
    const scheduledInTime = await countIn(['scheduled', 'fired', 'sent']);

    const deadline = windowStart + windowMs + graceMs;
    while (Date.now() < deadline && (await countIn(['sent'])) < count) await sleep(250);

    const receipts = await db
      .selectFrom('reminder_deliveries')
      .select(['status', 'scheduled_for', 'fired_at', 'sent_at'])
      .where('user_id', '=', userId)
      .where('channel', '=', 'in_app')
      .execute();
    const sent = receipts.filter((r) => r.status === 'sent' && r.sent_at);
    const late = sent.map((r) => r.sent_at!.getTime() - r.scheduled_for.getTime());
    const fired = sent
      .filter((r) => r.fired_at)
      .map((r) => r.fired_at!.getTime() - r.scheduled_for.getTime());
    const { rows: dup } = await sql<{ n: number }>`
      select count(*)::int as n from (
        select subject from (select cloud_event->>'subject' as subject from outbox
          where event_type = 'ReminderDue.v1' and cloud_event->'data'->>'user_id' = ${userId}) e
        group by subject having count(*) > 1) d`.execute(db);
    const { rows: notes } = await sql<{ n: number }>`
      select count(*)::int as n from notifications where user_id = ${userId}`.execute(db);
    const missed = count - sent.length;
    const label = `${count.toLocaleString('en')} reminders due within ${windowMs / 1000} s, embedded`;
    const target = 'p99 ≤ 1 s late';
    return [
      {
        metric: `reminder lateness p50 (${label})`,
        ours: ms(percentile(late, 50)),
        reference: 'the due time (0 ms)',
        ratio: 'n/a',
        target,
      },
      {
        metric: `reminder lateness p99 (${label})`,
        ours: ms(percentile(late, 99)),
        reference: 'the due time (0 ms)',
        ratio: 'n/a',
        target,
      },
      {
        metric: 'reminder: job fire lateness p99 (clock)',
        ours: ms(percentile(fired, 99)),
        reference: 'the due time (0 ms)',
        ratio: 'n/a',
        target: '—',
      },
      {
        metric: 'reminder: missed / duplicated',
        ours: `${missed} missed, ${dup[0]?.n ?? 0} duplicated, ${notes[0]?.n ?? 0} notifications, ${scheduledInTime} scheduled before the window`,
        reference: `${count} due`,
        ratio: 'n/a',
        target: '0 missed, 0 duplicated',
      },
    ];
  } finally {
    // Leave the bench database as it was: the user's tasks, notifications and receipts go with it.
    await db.deleteFrom('reminder_deliveries').where('user_id', '=', userId).execute();
    await db.deleteFrom('users').where('id', '=', userId).execute();
  }
}
