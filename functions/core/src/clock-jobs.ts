import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { JobScheduler } from './ports.ts';

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
