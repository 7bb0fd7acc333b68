import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/types.ts';
import type { CloudEvent } from '../events.ts';
import { APP_TOKEN_HEADER } from './app-token.ts';
import { type BackgroundLoop, backgroundLoop } from './background.ts';
import { bareRequest } from './bare-request.ts';
import type { BodyFraming } from './http.ts';
import type { Logger } from './log.ts';
import type { EventPublisher, JobScheduler } from './ports.ts';
import type { FetchApp } from './serve.ts';
import { backoffMs } from './time.ts';

/**
 * The embedded runner's transport, with the cluster's contract: CloudEvents POSTed to each subscriber's
 * route with Dapr's SUCCESS/RETRY/DROP replies, at-least-once (the outbox relay retries what failed),
 * and one-shot jobs kept in Postgres that fire `POST /job/<name>` on the clock app.
 */

export interface LocalSubscriber {
  /** The consuming function (what would be its Dapr app-id and consumer group). */
  consumer: string;
  topic: string;
  route: string;
  app: FetchApp;
}

/**
 * POSTs a JSON body to an app in this process, as daprd would over HTTP: as the part of a Request that Hono
 * reads (bare-request.ts). The body's length goes along as its framing (http.ts `bodyFraming`), so the body
 * limit applies as it does to a socket's request.
 */
export async function postInProcess(
  app: FetchApp,
  url: string,
  init: { headers: Record<string, string>; body: string },
): Promise<Response> {
  const { body } = init;
  const headers = Object.fromEntries(Object.entries(init.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const framing: BodyFraming = { chunked: false, length: Buffer.byteLength(body) };
  return app.fetch(bareRequest({ method: 'POST', url, headers, body }), { framing });
}

const Reply = z.object({ status: z.enum(['SUCCESS', 'RETRY', 'DROP']).optional() }).loose();

/**
 * Delivers each published event to every subscriber of its topic, like one Kafka consumer group per
 * function. SUCCESS → done; DROP (or a 404, as Dapr treats it) → a dead-letter row; RETRY, other
 * statuses or a throw → publish() fails, so the relay retries the row later with backoff. Subscribers
 * that already took it see it again then: consumers are idempotent, as with Dapr.
 *
 * Like the cluster's Resiliency policy (a bounded number of redeliveries, then the dead-letter topic), a
 * subscriber still failing on the relay's `maxDeliveries`-th attempt is dead-lettered for that event, so
 * one poison event cannot hold back its task's later events forever.
 */
export function localBus(opts: {
  db: Kysely<Database>;
  subscribers: () => LocalSubscriber[];
  log: Logger;
  /** Deliveries of one event before a still-failing subscriber is dead-lettered (default 10). */
  maxDeliveries?: number;
  /** Sent as `dapr-api-token`, as daprd sends APP_API_TOKEN: the subscribers' internal routes need it. */
  appToken?: string;
}): EventPublisher {
  const maxDeliveries = opts.maxDeliveries ?? 10;

  async function deadLetter(sub: LocalSubscriber, topic: string, event: CloudEvent, reason: string) {
    await opts.db
      .insertInto('dead_letters')
      .values({
        event_id: event.id,
        topic,
        consumer: sub.consumer,
        cloud_event: JSON.stringify(event),
        reason: reason.slice(0, 2000),
      })
      .onConflict((oc) => oc.columns(['consumer', 'event_id']).doNothing())
      .execute();
    opts.log.warn('event dead-lettered', { consumer: sub.consumer, topic, id: event.id, reason });
  }

  /** Delivers `body` (the event as JSON, written once for all its subscribers) to one subscriber. */
  async function deliver(
    sub: LocalSubscriber,
    topic: string,
    event: CloudEvent,
    body: string,
  ): Promise<string | null> {
    let res: Response;
    try {
      res = await postInProcess(sub.app, `http://${sub.consumer}.local${sub.route}`, {
        headers: {
          'content-type': 'application/cloudevents+json',
          ...(opts.appToken ? { [APP_TOKEN_HEADER]: opts.appToken } : {}),
        },
        body,
      });
    } catch (e) {
      return `${sub.consumer}: ${(e as Error).message}`;
    }
    const text = await res.text();
    let status: string | undefined;
    try {
      status = Reply.parse(text ? JSON.parse(text) : {}).status;
    } catch {
      status = undefined;
    }
    if (status === 'DROP' || res.status === 404) {
      await deadLetter(
        sub,
        topic,
        event,
        status === 'DROP' ? 'consumer replied DROP' : `consumer replied ${res.status}`,
      );
      return null;
    }
    if (res.ok && status !== 'RETRY') return null;
    return `${sub.consumer}: ${res.status} ${status ?? text.slice(0, 200)}`;
  }

  return {
    async publish(topic, event, delivery) {
      const targets = opts.subscribers().filter((s) => s.topic === topic);
      const body = JSON.stringify(event);
      const outcomes = await Promise.all(
        targets.map(async (sub) => ({ sub, failure: await deliver(sub, topic, event, body) })),
      );
      const failed = outcomes.filter(
        (o): o is { sub: LocalSubscriber; failure: string } => o.failure !== null,
      );
      if (!failed.length) return;
      const attempt = delivery?.attempt ?? 1;
      if (attempt >= maxDeliveries) {
        for (const { sub, failure } of failed)
          await deadLetter(sub, topic, event, `gave up after ${attempt} deliveries; last: ${failure}`);
        return;
      }
      throw new Error(
        `delivery of ${event.id} to ${topic} failed: ${failed.map((f) => f.failure).join('; ')}`,
      );
    },
  };
}

/** Jobs kept in `scheduled_jobs`: scheduling again under the same name overwrites, like `overwrite: true`. */
export function localJobs(opts: {
  db: Kysely<Database>;
  /** Called after a job is written, so an in-process runner can re-plan its sleep. */
  onScheduled?: () => void;
}): JobScheduler {
  return {
    async schedule(job) {
      await opts.db
        .insertInto('scheduled_jobs')
        .values({
          name: job.name,
          due_at: job.dueTime,
          data: JSON.stringify(job.data),
        })
        .onConflict((oc) =>
          oc.column('name').doUpdateSet({
            due_at: job.dueTime,
            data: JSON.stringify(job.data),
            attempts: 0,
            // Clears an in-flight firing's lease, so its completion does not delete the new schedule.
            locked_until: null,
          }),
        )
        .execute();
      opts.onScheduled?.();
    },
    async remove(name) {
      await opts.db.deleteFrom('scheduled_jobs').where('name', '=', name).execute();
    },
  };
}

export interface LocalJobRunnerOptions {
  db: Kysely<Database>;
  /** The clock app: jobs fire as `POST /job/<name>` with the data as the JSON body. */
  target: FetchApp;
  log: Logger;
  pollMs?: number;
  /** How long a claimed job is held before another runner may fire it again (default 60 s). */
  leaseMs?: number;
  batchSize?: number;
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Sent as `dapr-api-token`, as daprd does when the Scheduler fires a job. */
  appToken?: string;
}

export interface LocalJobRunner extends BackgroundLoop {
  /** Fires every due job once; returns how many were claimed. */
  runOnce(): Promise<number>;
}

interface ClaimedJob {
  name: string;
  data: unknown;
  attempts: number;
}

/**
 * Fires due jobs. A claim sets `locked_until` (a lease that doubles as the retry-after time) and bumps
 * `attempts`; 2xx or 404 deletes the job (only if it was not overwritten meanwhile), anything else
 * leaves it for a retry after capped exponential backoff. Survives restarts: the state is the table.
 */
export function createLocalJobRunner(options: LocalJobRunnerOptions): LocalJobRunner {
  const { db, log } = options;
  const leaseMs = options.leaseMs ?? 60_000;
  const base = options.baseBackoffMs ?? 1000;
  const max = options.maxBackoffMs ?? 5 * 60_000;

  async function fire(job: ClaimedJob, lease: Date): Promise<void> {
    let outcome: string | null;
    try {
      const res = await postInProcess(
        options.target,
        `http://clock.local/job/${encodeURIComponent(job.name)}`,
        {
          headers: {
            'content-type': 'application/json',
            ...(options.appToken ? { [APP_TOKEN_HEADER]: options.appToken } : {}),
          },
          body: JSON.stringify(job.data),
        },
      );
      const text = await res.text();
      outcome = res.ok || res.status === 404 ? null : `${res.status} ${text.slice(0, 200)}`;
    } catch (e) {
      outcome = (e as Error).message;
    }
    if (outcome === null) {
      await db
        .deleteFrom('scheduled_jobs')
        .where('name', '=', job.name)
        .where('locked_until', '=', lease)
        .where('attempts', '=', job.attempts)
        .execute();
      return;
    }
    const delay = backoffMs(job.attempts, base, max);
    log.warn('job failed; will retry', {
      job: job.name,
      attempts: job.attempts,
      retryInMs: delay,
      err: outcome,
    });
    await db
      .updateTable('scheduled_jobs')
      .set({ locked_until: new Date(Date.now() + delay) })
      .where('name', '=', job.name)
      .where('locked_until', '=', lease)
      .where('attempts', '=', job.attempts)
      .execute();
  }

  async function runOnce(): Promise<number> {
    // A JS Date (millisecond precision) as the lease value, so it compares equal when we finish.
    const lease = new Date(Date.now() + leaseMs);
    const { rows } = await sql<ClaimedJob>`
      update scheduled_jobs set locked_until = ${lease}, attempts = attempts + 1
      where name in (
        select name from scheduled_jobs
        where due_at <= now() and (locked_until is null or locked_until <= now())
        order by due_at
        limit ${options.batchSize ?? 50}
        for update skip locked)
      returning name, data, attempts`.execute(db);
    await Promise.all(rows.map((job) => fire(job, lease)));
    return rows.length;
  }

  async function nextDueInMs(): Promise<number | false> {
    const { rows } = await sql<{ ms: string | null }>`
      select extract(epoch from (min(greatest(due_at, coalesce(locked_until, due_at))) - now())) * 1000 as ms
      from scheduled_jobs`.execute(db);
    const ms = rows[0]?.ms;
    return ms == null ? false : Math.max(10, Math.ceil(Number(ms)));
  }

  const loop = backgroundLoop({
    name: 'job runner',
    log,
    idleMs: options.pollMs ?? 1000,
    tick: async () => ((await runOnce()) > 0 ? true : nextDueInMs()),
  });
  return { ...loop, runOnce };
}
