import { randomUUID } from 'node:crypto';
import { issueTokenForNewSession } from '@todo/core/accounts/sessions';
import { sleep } from '@todo/core/runtime/time';
import { TaskCreate } from '@todo/core/schemas';
import { createTask } from '@todo/core/tasks/task-writes';
import type { LocalStack } from '../local/stack.ts';
import { type BenchRow, ms, percentile, ratio } from './stats.ts';

export interface RecurrenceBenchOptions {
  /** Completions measured (default 200), one at a time. */
  samples?: number;
  warmup?: number;
  /** The stack's JWT secret, to call the API as a user would. */
  jwtSecret: string;
  /** A sample that takes longer than this counts as lost and fails the benchmark (default 10 s). */
  timeoutMs?: number;
}

/**
 * Recurring tasks, embedded mode: complete an occurrence through the gateway
 * (`POST /api/v1/tasks/:id/complete`) → the next occurrence is a row any read sees. The path is the one
 * `npm start` runs: complete-task writes the task and its TaskCompleted outbox row → the outbox relay →
 * the local bus → schedule-recurrence → the new task committed. Measured from sending the request to the
 * first poll (every 1 ms) that finds the next task. The reference is the complete request alone — the
 * part the user waits for; the ratio shows what the asynchronous hop adds.
 *
 * Needs `stack` with its background relay running (createLocalStack's default).
 */
export async function benchRecurrenceNextVisible(
  stack: LocalStack,
  options: RecurrenceBenchOptions,
): Promise<BenchRow[]> {
  const samples = options.samples ?? 200;
  const warmup = options.warmup ?? 20;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const { db } = stack;
  const user = await db
    .insertInto('users')
    .values({ email: `bench-recurrence-${randomUUID()}@bench.local`, password_hash: 'x' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const token = await issueTokenForNewSession(db, user.id, options.jwtSecret, 3600);
  const ctx = { db, userId: user.id, source: 'bench' };

  // The tasks exist (and their TaskCreated events are delivered) before the clock starts: a user
  // completes a task long after creating it, and per-key ordering would otherwise make the completion
  // wait behind its own TaskCreated.
  const tasks: string[] = [];
  for (let i = 0; i < warmup + samples; i += 20) {
    const batch = Array.from({ length: Math.min(20, warmup + samples - i) }, (_, j) =>
      createTask(
        ctx,
        TaskCreate.parse({
          title: `Recurring ${i + j}`,
          due_at: new Date(Date.UTC(2030, 0, 1, 9) + (i + j) * 86_400_000).toISOString(),
          time_zone: 'America/New_York',
          recurrence: { rule: 'FREQ=DAILY' },
        }),
      ),
    );
    tasks.push(...(await Promise.all(batch)).map((t) => t.id));
  }
  const drainDeadline = Date.now() + 120_000;
  while (
    (await db.selectFrom('outbox').select('id').where('sent_at', 'is', null).limit(1).execute()).length
  ) {
    if (Date.now() > drainDeadline) throw new Error('the outbox did not drain within 120 s');
    await sleep(50);
  }

  async function once(i: number): Promise<{ visible: number; request: number }> {
    const task = { id: tasks[i]! };
    const start = performance.now();
    const res = await stack.app.fetch(
      new Request(`http://bench.local/api/v1/tasks/${task.id}/complete`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}` },
      }),
    );
    const request = performance.now() - start;
    if (res.status !== 200) throw new Error(`complete returned ${res.status}: ${await res.text()}`);
    for (;;) {
      const next = await db
        .selectFrom('tasks')
        .select('id')
        .where('previous_occurrence_id', '=', task.id)
        .executeTakeFirst();
      const elapsed = performance.now() - start;
      if (next) return { visible: elapsed, request };
      if (elapsed > timeoutMs)
        throw new Error(`next occurrence of ${task.id} not visible after ${timeoutMs} ms`);
      await sleep(1);
    }
  }

  for (let i = 0; i < warmup; i++) await once(i);
  const visible: number[] = [];
  const request: number[] = [];
  for (let i = 0; i < samples; i++) {
    const s = await once(warmup + i);
    visible.push(s.visible);
    request.push(s.request);
  }
  const p50 = percentile(visible, 50);
  const p99 = percentile(visible, 99);
  const ref50 = percentile(request, 50);
  const ref99 = percentile(request, 99);
  return [
    {
      metric: `recurring: complete → next occurrence visible p50 (n=${samples}, embedded)`,
      ours: ms(p50),
      reference: `${ms(ref50)} (complete request)`,
      ratio: ratio(p50, ref50),
      target: '—',
    },
    {
      metric: `recurring: complete → next occurrence visible p99 (n=${samples}, embedded)`,
      ours: ms(p99),
      reference: `${ms(ref99)} (complete request)`,
      ratio: ratio(p99, ref99),
      target: 'p99 ≤ 500 ms (seed: < 5 s)',
    },
  ];
}
