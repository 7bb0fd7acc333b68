// Reminder lateness on the cluster's path for a fired job: the real Dapr Scheduler → the clock's daprd →
// `POST /job/<name>` on the app. `count` one-shot jobs due within the same `windowMs`, scheduled through
// the same adapter the clock uses (daprJobs: dueTime, overwrite, failurePolicy). Lateness is arrival at
// the app minus the job's dueTime; the reference is the due time itself.

import { daprJobs } from '@todo/core/runtime/dapr';
import { listen } from '@todo/core/runtime/serve';
import { sleep } from '@todo/core/runtime/time';
import { Hono } from 'hono';
import { startDaprd, startScheduler } from '../../platform/engines/dapr.ts';
import { type BenchRow, ms, percentile } from './stats.ts';

export interface SchedulerBenchOptions {
  count?: number;
  windowMs?: number;
  /** Time between the first schedule call and the window opening (default 30 s). */
  leadMs?: number;
  /** How long after the window a job may still arrive before it counts as missed (default 30 s). */
  graceMs?: number;
}

export async function benchSchedulerLateness(opts: SchedulerBenchOptions = {}): Promise<BenchRow[]> {
  const count = opts.count ?? 1000;
  const windowMs = opts.windowMs ?? 10_000;
  const leadMs = opts.leadMs ?? 30_000;
  const graceMs = opts.graceMs ?? 30_000;
  const stops: (() => Promise<unknown>)[] = [];
  try {
    const dueOf = new Map<string, number>();
    const arrivals = new Map<string, number[]>();
    const app = new Hono();
    app.post('/job/:name', async (c) => {
      const at = Date.now();
      const name = c.req.param('name');
      await c.req.text();
      arrivals.set(name, [...(arrivals.get(name) ?? []), at]);
      return c.json({ status: 'done' });
    });
    const server = await listen(app, 0, '127.0.0.1');
    stops.push(() => server.close(1000));
    const scheduler = await startScheduler();
    stops.push(() => scheduler.stop());
    const sidecar = await startDaprd({
      appId: 'bench-clock',
      appPort: server.port,
      schedulerAddress: scheduler.address,
    });
    stops.push(() => sidecar.stop());
    const jobs = daprJobs({ httpPort: sidecar.httpPort });

    const windowStart = Date.now() + leadMs;
    for (let i = 0; i < count; i += 20) {
      await Promise.all(
        Array.from({ length: Math.min(20, count - i) }, async (_, j) => {
          const n = i + j;
          const name = `bench-reminder-${n}`;
          const due = windowStart + Math.floor((n * windowMs) / count);
          dueOf.set(name, due);
          await jobs.schedule({ name, dueTime: new Date(due), data: { n } });
        }),
      );
    }
    const scheduledBy = Date.now();
    const deadline = windowStart + windowMs + graceMs;
    while (Date.now() < deadline && arrivals.size < count) await sleep(200);
    await sleep(1000); // a duplicate firing would show up now

    const late = [...arrivals].map(([name, at]) => at[0]! - dueOf.get(name)!);
    const duplicated = [...arrivals.values()].filter((at) => at.length > 1).length;
    const missed = count - arrivals.size;
    const label = `${count.toLocaleString('en')} jobs due within ${windowMs / 1000} s, Dapr Scheduler → daprd → app`;
    return [
      {
        metric: `job lateness p50 (${label})`,
        ours: ms(percentile(late, 50)),
        reference: 'the due time (0 ms)',
        ratio: 'n/a',
        target: '—',
      },
      {
        metric: `job lateness p99 (${label})`,
        ours: ms(percentile(late, 99)),
        reference: 'the due time (0 ms)',
        ratio: 'n/a',
        target: 'p99 ≤ 1 s late',
      },
      {
        metric: 'Dapr jobs: missed / duplicated',
        ours: `${missed} missed, ${duplicated} duplicated; all scheduled ${ms(windowStart - scheduledBy)} before the window`,
        reference: `${count} due`,
        ratio: 'n/a',
        target: '0 missed, 0 duplicated',
      },
    ];
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
}
