import { connectDatabase, type DbHandle } from '@todo/core/db/connect';
import { migrateToLatest } from '@todo/core/db/migrate';
import type { Database } from '@todo/core/db/types';
import { newAppToken } from '@todo/core/runtime/app-token';
import { keepRecurringJobsArmed } from '@todo/core/runtime/clock-jobs';
import { type Config, loadConfig } from '@todo/core/runtime/config';
import type { EventDeps } from '@todo/core/runtime/event-app';
import type { FunctionDeps } from '@todo/core/runtime/http';
import {
  createLocalJobRunner,
  type LocalJobRunner,
  type LocalSubscriber,
  localBus,
  localJobs,
} from '@todo/core/runtime/local-transport';
import { createLogger, type Logger } from '@todo/core/runtime/log';
import { createOutboxRelay, type OutboxRelay } from '@todo/core/runtime/outbox-relay';
import { clockRecurringJobs } from '@todo/core/runtime/retention';
import type { Hono } from 'hono';
import type { Kysely } from 'kysely';
import { catalog, httpFunctions } from '../catalog.ts';
import { createGatewayApp } from '../gateway/app.ts';
import { eventApps, httpApps } from '../registry.ts';

/** HTTP functions whose every route is a GET: they get their connections before the rest. */
export const readOnlyFunctions = (): string[] =>
  httpFunctions()
    .filter((fn) => fn.routes.every((route) => route.method === 'GET'))
    .map((fn) => fn.name);

export interface LocalTransport {
  relay: OutboxRelay;
  jobs: LocalJobRunner;
  /**
   * Publishes outbox rows and fires due jobs until every event written so far has been delivered
   * (waiting out retry backoffs) — for tests that want "all events so far have been handled". Throws
   * with the last error when an event is still unsent after `timeoutMs` (default 30 s).
   */
  settle(timeoutMs?: number): Promise<void>;
}

export interface LocalStack {
  /** The gateway with every HTTP function mounted in-process: the same routing as in a cluster. */
  app: ReturnType<typeof createGatewayApp>;
  db: Kysely<Database>;
  deps: FunctionDeps;
  /** Event and clock functions by catalog name (what the local bus and job runner deliver to). */
  // biome-ignore lint/suspicious/noExplicitAny: any Hono app shape
  eventApps: Record<string, Hono<any>>;
  transport: LocalTransport;
  close(): Promise<void>;
}

export interface LocalStackOptions {
  databaseUrl: string;
  jwtSecret: string;
  config?: Config;
  log?: Logger;
  /** Start the relay and job runner loops (default true); settle() works either way. */
  background?: boolean;
  /**
   * The token the event and clock apps require on their internal routes; the local bus and job runner
   * send it. Default: a random one for this process.
   */
  appToken?: string;
}

/**
 * Migrates the database and mounts every function in this process: HTTP functions behind the gateway,
 * event functions on the local bus (fed by the outbox relay), the clock on the local job runner.
 * Same contract as the cluster, no Kafka or Dapr.
 */
export async function createLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const config = options.config ?? loadConfig({ DATABASE_URL: options.databaseUrl });
  const handle: DbHandle = connectDatabase(options.databaseUrl, config.DATABASE_POOL_MAX, {
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
  });
  await migrateToLatest(handle.db as Kysely<unknown>);
  const log = options.log ?? createLogger(config.LOG_LEVEL);
  const deps: FunctionDeps = {
    db: handle.db,
    config,
    jwtSecret: options.jwtSecret,
    log,
    lifecycle: { draining: false },
    appToken: options.appToken ?? newAppToken(),
  };
  // A function that only reads (list-tasks, agenda, api-docs) is served a connection before the rest: in
  // a cluster its own pool keeps queued writes from standing in front of it.
  const readers = new Set(readOnlyFunctions());
  const readDeps: FunctionDeps = { ...deps, db: handle.readDb };
  const apps = Object.fromEntries(
    Object.entries(httpApps).map(([name, create]) => [name, create(readers.has(name) ? readDeps : deps)]),
  );
  const app = createGatewayApp(async (fn, request, env) => {
    const target = apps[fn];
    if (!target) throw new Error(`no app for ${fn}`);
    return target.fetch(request, env);
  });

  let runner: LocalJobRunner | undefined;
  const eventDeps: EventDeps = {
    ...deps,
    jobs: localJobs({ db: handle.db, onScheduled: () => runner?.wake() }),
  };
  // biome-ignore lint/suspicious/noExplicitAny: any Hono app shape
  const events: Record<string, Hono<any>> = {};
  const subscribers: LocalSubscriber[] = [];
  for (const fn of catalog.filter((f) => f.kind === 'event' || f.kind === 'clock')) {
    const create = eventApps[fn.name];
    if (!create) throw new Error(`functions/registry.ts: no eventApps entry for catalog function ${fn.name}`);
    const fnApp = create(eventDeps);
    events[fn.name] = fnApp;
    for (const s of fn.subscriptions)
      subscribers.push({ consumer: fn.name, topic: s.topic, route: s.route, app: fnApp });
  }
  const clock = catalog.find((f) => f.kind === 'clock');
  if (!clock || !events[clock.name]) throw new Error('the catalog has no clock function');

  const relay = createOutboxRelay({
    db: handle.db,
    publisher: localBus({ db: handle.db, subscribers: () => subscribers, log, appToken: deps.appToken }),
    log,
    databaseUrl: options.databaseUrl,
    maxAttempts: config.OUTBOX_MAX_ATTEMPTS,
  });
  const recurring = keepRecurringJobsArmed({
    jobs: eventDeps.jobs,
    recurring: clockRecurringJobs(config),
    log,
  });
  runner = createLocalJobRunner({ db: handle.db, target: events[clock.name]!, log, appToken: deps.appToken });
  const jobRunner = runner;

  const transport: LocalTransport = {
    relay,
    jobs: jobRunner,
    async settle(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const published = await relay.drainOnce();
        const fired = await jobRunner.runOnce();
        if (published || fired) continue;
        // Anything still unsent, including events waiting out a retry backoff (a consumer said RETRY)?
        const pending = await handle.db
          .selectFrom('outbox')
          .select(['event_id', 'last_error'])
          .where('sent_at', 'is', null)
          .orderBy('id')
          .limit(1)
          .executeTakeFirst();
        if (!pending) return;
        if (Date.now() > deadline)
          throw new Error(
            `settle: event ${pending.event_id} still unsent: ${pending.last_error ?? 'not tried yet'}`,
          );
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };

  if (options.background ?? true) {
    await relay.start();
    jobRunner.start();
    recurring.start();
  }
  return {
    app,
    db: handle.db,
    deps,
    eventApps: events,
    transport,
    async close() {
      await recurring.stop();
      await relay.stop();
      await jobRunner.stop();
      await handle.close();
    },
  };
}
