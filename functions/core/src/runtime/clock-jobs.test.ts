import { describe, expect, it } from 'vitest';
import { eventually, useTestDatabase } from '../../../testing/database.ts';
import { keepRecurringJobsArmed, nextRecurringRun, type RecurringJob } from './clock-jobs.ts';
import { loadConfig } from './config.ts';
import { localJobs } from './local-transport.ts';
import { createLogger } from './log.ts';
import type { JobScheduler } from './ports.ts';
import { clockRecurringJobs } from './retention.ts';

const t = useTestDatabase();
const log = createLogger('silent');
const HOUR = 3_600_000;
const hourly: RecurringJob = { prefix: 'tidy-', everyMs: HOUR, data: { kind: 'tidy' } };

describe('recurring jobs on one-shot jobs', () => {
  it('name each slot after its start, so arming the same slot again is the same job', () => {
    const now = new Date('2030-01-05T10:20:00Z');
    const next = nextRecurringRun(hourly, now);
    expect(next).toEqual({
      name: `tidy-${Date.parse('2030-01-05T11:00:00Z') / 1000}`,
      dueTime: new Date('2030-01-05T11:00:00Z'),
      data: { kind: 'tidy' },
    });
    expect(nextRecurringRun(hourly, new Date('2030-01-05T10:59:59Z'))).toEqual(next);
  });

  it('never arm the job that is firing: a run arms the slot after its own, even if it fired early', () => {
    const firing = `tidy-${Date.parse('2030-01-05T11:00:00Z') / 1000}`;
    const early = new Date('2030-01-05T10:59:59.900Z');
    expect(nextRecurringRun(hourly, early, firing).dueTime).toEqual(new Date('2030-01-05T12:00:00Z'));
    // Late (the clock was down): the first slot after now.
    expect(nextRecurringRun(hourly, new Date('2030-01-05T15:30:00Z'), firing).dueTime).toEqual(
      new Date('2030-01-05T16:00:00Z'),
    );
  });

  it('the clock keeps them armed: one durable job per recurring job, retried while scheduling fails', async () => {
    const jobs = localJobs({ db: t.db });
    let failures = 2;
    const flaky: JobScheduler = {
      async schedule(job) {
        if (failures-- > 0) throw new Error('sidecar not ready');
        await jobs.schedule(job);
      },
      remove: (name) => jobs.remove(name),
    };
    const recurring = clockRecurringJobs(loadConfig({ RETENTION_EVERY_MINUTES: '30' }));
    const loop = keepRecurringJobsArmed({ jobs: flaky, recurring, log, retryMs: 20 });
    loop.start();
    try {
      const row = await eventually('the retention job is armed', () =>
        t.db.selectFrom('scheduled_jobs').selectAll().where('name', 'like', 'retention-%').executeTakeFirst(),
      );
      expect(row.data).toEqual({ kind: 'retention' });
      expect(row.due_at.getTime() % (30 * 60_000)).toBe(0);
      expect(row.due_at.getTime()).toBeGreaterThan(Date.now());
      expect(row.due_at.getTime()).toBeLessThanOrEqual(Date.now() + 30 * 60_000);
      expect(row.name).toBe(`retention-${row.due_at.getTime() / 1000}`);
    } finally {
      await loop.stop();
    }
    // Arming again (a restart) overwrites the same job rather than adding one.
    const again = keepRecurringJobsArmed({ jobs, recurring, log });
    again.start();
    await again.stop();
    expect(
      await t.db.selectFrom('scheduled_jobs').select('name').where('name', 'like', 'retention-%').execute(),
    ).toHaveLength(1);
  });
});
