import type { CloudEvent } from '../events.ts';
import type { EventPublisher, JobScheduler, ScheduledJob } from './ports.ts';

/**
 * Dapr adapters behind the ports, over the sidecar's HTTP API (daprd on 127.0.0.1:DAPR_HTTP_PORT).
 * @dapr/dapr 3.18 has no jobs client, and two fetch calls are lighter than its gRPC stack at cold start.
 */

const TIMEOUT_MS = 10_000;

async function daprCall(url: string, init: RequestInit, what: string, okStatuses: number[] = []) {
  let res: Response;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (e) {
    throw new Error(`${what}: sidecar unreachable at ${new URL(url).host} (${(e as Error).message})`);
  }
  const text = await res.text();
  if (!res.ok && !okStatuses.includes(res.status))
    throw new Error(`${what}: ${res.status} ${text.slice(0, 500)}`);
  return { status: res.status, text };
}

export interface DaprOptions {
  /** The sidecar's HTTP port (DAPR_HTTP_PORT). */
  httpPort: number;
  host?: string;
}

const base = (o: DaprOptions) => `http://${o.host ?? '127.0.0.1'}:${o.httpPort}`;

/**
 * Publishes through the sidecar's pub/sub component. The body is the CloudEvent itself
 * (`application/cloudevents+json`, so Dapr does not wrap it again) and the partition key is the event's
 * subject (the task id), so Kafka keeps one task's events in order.
 */
export function daprPublisher(o: DaprOptions & { pubsubName: string }): EventPublisher {
  return {
    async publish(topic, event: CloudEvent) {
      const url = new URL(
        `${base(o)}/v1.0/publish/${encodeURIComponent(o.pubsubName)}/${encodeURIComponent(topic)}`,
      );
      const key = event.partitionkey ?? event.subject;
      if (key) url.searchParams.set('metadata.partitionKey', key);
      await daprCall(
        url.toString(),
        {
          method: 'POST',
          headers: { 'content-type': 'application/cloudevents+json' },
          body: JSON.stringify(event),
        },
        `publish ${topic}`,
      );
    },
  };
}

const jobUrl = (o: DaprOptions, name: string) => `${base(o)}/v1.0-alpha1/jobs/${encodeURIComponent(name)}`;

/**
 * The Dapr Jobs API on this app's own sidecar. Only the clock uses it (its jobs fire back to it); every
 * other function schedules through the clock's `/jobs/<name>` endpoint (see clock-jobs.ts).
 */
export function daprJobs(o: DaprOptions): JobScheduler {
  return {
    async schedule(job: ScheduledJob) {
      await daprCall(
        jobUrl(o, job.name),
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            dueTime: job.dueTime.toISOString(),
            data: job.data,
            overwrite: true,
            // The default (3 tries, 1 s apart) gives up during a clock restart; a minute of tries does not.
            failurePolicy: { constant: { interval: '2s', maxRetries: 30 } },
          }),
        },
        `schedule job ${job.name}`,
      );
    },
    async remove(name: string) {
      // Deleting a job that is gone (fired, or never made) is success.
      await daprCall(jobUrl(o, name), { method: 'DELETE' }, `delete job ${name}`, [404]);
    },
  };
}

/**
 * The body of `POST /job/<name>`: the job's `data`. Some Dapr versions deliver it wrapped as a protobuf
 * Any (`{"@type": "...Value", "value": …}`); unwrap that so handlers see what was scheduled.
 */
export function unwrapJobData(body: unknown): unknown {
  if (body && typeof body === 'object' && '@type' in body && 'value' in body) {
    const value = (body as { value: unknown }).value;
    if (typeof value === 'string') {
      try {
        return JSON.parse(value);
      } catch {
        return value;
      }
    }
    return value;
  }
  return body;
}
