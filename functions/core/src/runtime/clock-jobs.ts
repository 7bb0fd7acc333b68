import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { ReminderJobData } from '../reminders/reminder-plan.ts';
import { type BackgroundLoop, backgroundLoop } from './background.ts';
import type { Logger } from './log.ts';
import type { JobScheduler, ScheduledJob } from './ports.ts';
import { RetentionJobData } from './retention.ts';

/**
 * Every kind of job data the clock runs, told apart by `kind`: the clock dispatches on it (clock-app.ts
 * dispatchByKind). A job's name is only its identity (overwrite, delete), never what decides its handler.
 */
export const ClockJobData = z.discriminatedUnion('kind', [ReminderJobData, RetentionJobData]);
export type ClockJobData = z.infer<typeof ClockJobData>;

/**
 * How functions other than the clock schedule jobs. A Dapr job fires only back to the app-id that
 * scheduled it, so every job is scheduled by the clock (always one replica) on its own sidecar. Others
 * ask it over plain HTTP at its Service address: the clock is never scaled to zero, so no interceptor or
 * Dapr service invocation is needed (whose standalone name resolver is not in daprd's stable build).
 */

/** The body of `POST /jobs/<name>` on the clock. */
export const JobRequest = z.object({
  dueTime: z.iso.datetime({ offset: true }),
  data: z.record(z.string(), z.unknown()),
});

export const clockJobsPath = (name: string) => `/jobs/${encodeURIComponent(name)}`;

/** Header carrying the proof that the caller is one of ours: an HMAC of a fixed label under the shared secret. */
export const INTERNAL_KEY_HEADER = 'x-todo-internal-key';

export function internalKey(secret: string): string {
  return createHmac('sha256', secret).update('todo:clock-jobs').digest('hex');
}

export function isInternalKey(secret: string, presented: string | undefined): boolean {
  const expected = Buffer.from(internalKey(secret));
  const got = Buffer.from(presented ?? '');
  return got.length === expected.length && timingSafeEqual(got, expected);
}

const TIMEOUT_MS = 10_000;

export function clockJobsClient(opts: { clockUrl: string; secret: string }): JobScheduler {
  async function call(method: 'POST' | 'DELETE', name: string, body?: unknown) {
    const url = new URL(clockJobsPath(name), opts.clockUrl).toString();
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: {
          [INTERNAL_KEY_HEADER]: internalKey(opts.secret),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (e) {
      throw new Error(
        `${method} job ${name}: clock unreachable at ${opts.clockUrl} (${(e as Error).message})`,
      );
    }
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} job ${name}: clock answered ${res.status} ${text.slice(0, 300)}`);
  }
  return {
    schedule: (job) => call('POST', job.name, { dueTime: job.dueTime.toISOString(), data: job.data }),
    remove: (name) => call('DELETE', name),
  };
}

/**
 * A job that runs every `everyMs`, on one-shot jobs (all the JobScheduler port has, on Dapr and in the
 * embedded runner alike). Time is cut into slots of `everyMs` counted from the epoch, and each slot is
 * its own job, `<prefix><slot start in epoch seconds>`, due at the slot's start. A run arms the next slot
 * before it does its work (so a failing run does not break the chain), and the clock arms the next slot
 * at start and then every `everyMs` (which starts the chain on a fresh install and mends a broken one).
 * Arming is idempotent: the same slot is the same name and due time, so it overwrites itself. Runs never
 * overwrite the job that is firing (its slot is over), and a changed period merges into one chain.
 */
export interface RecurringJob {
  /** The job-name prefix, e.g. `retention-`: each slot's job is named `<prefix><slot>`. */
  prefix: string;
  everyMs: number;
  data: Record<string, unknown>;
}

/** The slot start (epoch ms) a job name of this recurring job stands for, if it is one. */
function slotOf(job: RecurringJob, name: string): number | undefined {
  if (!name.startsWith(job.prefix)) return undefined;
  const seconds = name.slice(job.prefix.length);
  return /^\d+$/.test(seconds) ? Number(seconds) * 1000 : undefined;
}

/** The first slot after `now`, and after the slot of the job `firing` (when a run arms its successor). */
export function nextRecurringRun(job: RecurringJob, now: Date, firing?: string): ScheduledJob {
  const after = Math.max(now.getTime(), (firing && slotOf(job, firing)) || 0);
  const start = (Math.floor(after / job.everyMs) + 1) * job.everyMs;
  return { name: `${job.prefix}${start / 1000}`, dueTime: new Date(start), data: job.data };
}

export async function armRecurringJob(
  jobs: JobScheduler,
  job: RecurringJob,
  now = new Date(),
  firing?: string,
): Promise<ScheduledJob> {
  const next = nextRecurringRun(job, now, firing);
  await jobs.schedule(next);
  return next;
}

/**
 * The clock's loop that keeps every recurring job armed: at start, then every period (the shortest
 * job's, at most an hour); a failure (the sidecar not up yet) is retried after `retryMs`.
 */
export function keepRecurringJobsArmed(opts: {
  jobs: JobScheduler;
  recurring: RecurringJob[];
  log: Logger;
  retryMs?: number;
}): BackgroundLoop {
  const everyMs = Math.min(3_600_000, ...opts.recurring.map((j) => j.everyMs));
  return backgroundLoop({
    name: 'recurring jobs',
    log: opts.log,
    idleMs: everyMs,
    async tick() {
      try {
        for (const job of opts.recurring) await armRecurringJob(opts.jobs, job);
        return false;
      } catch (e) {
        opts.log.warn('could not arm the recurring jobs; will try again', { err: e });
        return opts.retryMs ?? 10_000;
      }
    },
  });
}
