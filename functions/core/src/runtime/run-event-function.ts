import type { Hono } from 'hono';
import { clockJobsClient, keepRecurringJobsArmed } from './clock-jobs.ts';
import { type Config, ConfigError, requireAppToken } from './config.ts';
import { daprJobs, daprPublisher } from './dapr.ts';
import type { EventDeps } from './event-app.ts';
import { createOutboxRelay } from './outbox-relay.ts';
import { clockRecurringJobs } from './retention.ts';
import { runContainer } from './run-function.ts';

// biome-ignore lint/suspicious/noExplicitAny: a factory may return any Hono app shape
export type EventFunctionFactory = (deps: EventDeps) => Hono<any>;

function requireDapr(config: Config): void {
  if (!config.DAPR_HTTP_PORT)
    throw new ConfigError('Invalid configuration:\n  DAPR_HTTP_PORT: required (the daprd sidecar)');
  requireAppToken(config);
}

/**
 * An event function's container: daprd delivers its topics to `POST /events/<topic>`; its jobs go to
 * the clock (the only app-id Dapr jobs fire back to) at CLOCK_URL.
 */
export function runEventFunction(name: string, create: EventFunctionFactory): Promise<void> {
  return runContainer(
    name,
    (deps) => ({
      app: create({
        ...deps,
        jobs: clockJobsClient({ clockUrl: deps.config.CLOCK_URL, secret: deps.jwtSecret }),
      }),
    }),
    requireAppToken,
  );
}

/**
 * The clock's container: the always-on function. Its jobs live on its own sidecar (so they fire back to
 * it), and it runs the outbox relay, which publishes every function's events through that sidecar —
 * woken by NOTIFY on each committed write, with a poll as the fallback.
 */
export function runClockFunction(name: string, create: EventFunctionFactory): Promise<void> {
  return runContainer(
    name,
    (deps) => {
      const httpPort = deps.config.DAPR_HTTP_PORT!;
      const relay = createOutboxRelay({
        db: deps.db,
        publisher: daprPublisher({ httpPort, pubsubName: deps.config.PUBSUB_NAME }),
        log: deps.log,
        databaseUrl: deps.databaseUrl,
        maxAttempts: deps.config.OUTBOX_MAX_ATTEMPTS,
      });
      const jobs = daprJobs({ httpPort });
      const recurring = keepRecurringJobsArmed({
        jobs,
        recurring: clockRecurringJobs(deps.config),
        log: deps.log,
      });
      return {
        app: create({ ...deps, jobs }),
        start: async () => {
          await relay.start();
          recurring.start();
        },
        stop: async () => {
          await recurring.stop();
          await relay.stop();
        },
      };
    },
    requireDapr,
  );
}
