import type { CloudEvent } from '../events.ts';

/**
 * The two things event-driven code asks of its platform. Functions see only these ports; a Dapr
 * adapter (sidecar HTTP API) and a local adapter (in-process, durable in Postgres) sit behind them.
 */

/** Publishes a CloudEvent to a topic. Only the outbox relay calls it: writers enqueue in their transaction. */
export interface EventPublisher {
  /** `delivery.attempt` counts from 1: the how-many-th time the relay hands this event over. */
  publish(topic: string, event: CloudEvent, delivery?: { attempt: number }): Promise<void>;
}

export interface ScheduledJob {
  /** Deterministic (`reminder-<taskId>-<offset>`, `recur-<seriesId>`), so scheduling again overwrites. */
  name: string;
  dueTime: Date;
  data: Record<string, unknown>;
}

/**
 * One-shot jobs that fire `POST /job/<name>` with `data` as the body on the clock function, the one
 * always-on app that owns every job (Dapr fires a job only back to the app-id that scheduled it).
 */
export interface JobScheduler {
  /** Creates or overwrites (`overwrite: true`) the job with this name. */
  schedule(job: ScheduledJob): Promise<void>;
  /** Deletes the job; deleting a job that does not exist is not an error. */
  remove(name: string): Promise<void>;
}
