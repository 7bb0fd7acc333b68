// The real-engine event backbone for e2e tests: embedded Postgres (the run's), Apache Kafka (KRaft), the
// Dapr Scheduler and one daprd per event function and the clock, with every function's app served on a
// loopback port through the Dapr adapters — the containers' wiring, minus the containers.
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dropDatabase, ensureDatabase } from '@todo/core/db/admin';
import { connectDatabase } from '@todo/core/db/connect';
import type { Database } from '@todo/core/db/types';
import { clockJobsClient } from '@todo/core/runtime/clock-jobs';
import { loadConfig } from '@todo/core/runtime/config';
import { daprJobs, daprPublisher } from '@todo/core/runtime/dapr';
import type { EventDeps } from '@todo/core/runtime/event-app';
import { createLogger } from '@todo/core/runtime/log';
import { createOutboxRelay, type OutboxRelay } from '@todo/core/runtime/outbox-relay';
import type { EventPublisher, JobScheduler } from '@todo/core/runtime/ports';
import { listen, type RunningServer } from '@todo/core/runtime/serve';
import { Hono } from 'hono';
import { Kafka, logLevel } from 'kafkajs';
import type { Kysely } from 'kysely';
import { inject } from 'vitest';
import { daprSubscriptions, renderYaml } from '../../platform/derive/dapr-subscriptions.ts';
import {
  type RunningDaprd,
  renderResources,
  startDaprd,
  startScheduler,
} from '../../platform/engines/dapr.ts';
import { startKafka } from '../../platform/engines/kafka.ts';
import { makeTempDir } from '../../platform/engines/proc.ts';
import { catalog } from '../catalog.ts';
import { createLocalStack, type LocalStack } from '../local/stack.ts';
import { eventApps } from '../registry.ts';
import { TEST_JWT_SECRET } from '../testing/stack.ts';
import { bundleContainer, type RunningContainer, startContainer } from './containers.ts';
import { restartLike } from './restart.ts';

const componentsDir = fileURLToPath(new URL('../../dapr-components/standalone/', import.meta.url));
const daprConfig = join(componentsDir, 'config', 'configuration.yaml');

export interface Email {
  from: string;
  to: string | string[];
  subject: string;
  text?: string;
  idempotencyKey: string | null;
}

/** A Resend-compatible HTTP endpoint on loopback: records POST /emails and answers like Resend. */
async function startFakeResend() {
  const emails: Email[] = [];
  const app = new Hono();
  app.post('/emails', async (c) => {
    const body = await c.req.json();
    emails.push({ ...body, idempotencyKey: c.req.header('idempotency-key') ?? null });
    return c.json({ id: `email_${emails.length}` });
  });
  const server = await listen(app, 0, '127.0.0.1');
  return { url: `http://127.0.0.1:${server.port}`, emails, server };
}

interface FunctionUnderTest {
  name: string;
  server: RunningServer;
  daprd: RunningDaprd;
}

export interface Backbone {
  /** The public API (gateway + HTTP functions) over real HTTP. */
  apiUrl: string;
  /** Dapr's app API token: every daprd sends it, every app requires it on /events and /job. */
  appToken: string;
  db: Kysely<Database>;
  brokers: string;
  emails: Email[];
  relay: OutboxRelay;
  functions: Map<string, FunctionUnderTest>;
  /** Publishes straight through the clock's sidecar (as the relay does), bypassing the outbox. */
  publisher: EventPublisher;
  /** The Dapr Jobs API on the clock's sidecar. */
  clockJobs: JobScheduler;
  kafka(): Kafka;
  /** Stops the broker process (same data dir and ports kept) and returns a function that starts it again. */
  stopKafka(): Promise<() => Promise<void>>;
  /** Stops the Scheduler (etcd data kept), then starts it again on the same ports. */
  restartScheduler(): Promise<void>;
  /** Stops function `name`'s daprd and returns a function that starts a new one for the same app. */
  stopDaprd(name: string): Promise<() => Promise<void>>;
  /**
   * Runs catalog function `name` as its container does (its bundle, its own process, its own daprd)
   * under app-id `appId`, with `env` (DATABASE_URL, …); its subscriptions are derived for that app-id.
   */
  startBuiltFunction(name: string, appId: string, env: Record<string, string>): Promise<RunningContainer>;
  close(): Promise<void>;
}

export async function startBackbone(opts: { log?: boolean } = {}): Promise<Backbone> {
  const cleanups: (() => Promise<unknown>)[] = [];
  const log = createLogger(opts.log ? 'info' : 'error');
  try {
    const dbName = `e2e_${randomBytes(5).toString('hex')}`;
    const admin = inject('adminDatabaseUrl');
    const databaseUrl = await ensureDatabase(admin, dbName);
    cleanups.push(() => dropDatabase(admin, dbName));

    const resend = await startFakeResend();
    cleanups.push(() => resend.server.close(1000));

    const kafka = await startKafka({ partitions: 3 });
    let kafkaRestarted: { stop(): Promise<void> } | undefined;
    cleanups.push(async () => {
      await kafkaRestarted?.stop();
      await kafka.stop();
      if (kafkaRestarted) rmSync(kafka.dir, { recursive: true, force: true });
    });
    const scheduler = await startScheduler();
    let schedulerRestarted: { stop(): Promise<void> } | undefined;
    cleanups.push(async () => {
      await schedulerRestarted?.stop();
      await scheduler.stop();
      if (schedulerRestarted) rmSync(scheduler.dir, { recursive: true, force: true });
    });

    // The standalone components with the broker filled in, plus the Subscriptions derived from the catalog.
    const resources = renderResources(componentsDir, { KAFKA_BROKERS: kafka.brokers });
    writeFileSync(join(resources, 'subscriptions.yaml'), renderYaml(daprSubscriptions(catalog)));

    const config = loadConfig({
      DATABASE_URL: databaseUrl,
      LOG_LEVEL: opts.log ? 'info' : 'error',
      // Cheap password hashes for the many test sign-ups (production: 17).
      PASSWORD_SCRYPT_LOG_N: '12',
      RESEND_API_KEY: 're_test_key',
      RESEND_BASE_URL: resend.url,
    });
    // The HTTP functions behind the gateway, in-process (their own transport is not started).
    const stack: LocalStack = await createLocalStack({
      databaseUrl,
      jwtSecret: TEST_JWT_SECRET,
      config,
      log,
      background: false,
    });
    cleanups.push(() => stack.close());
    const api = await listen(stack.app, 0, '127.0.0.1');
    cleanups.push(() => api.close(1000));
    const pool = connectDatabase(databaseUrl, 10);
    cleanups.push(() => pool.close());
    // Dapr's app API token: every daprd gets it as APP_API_TOKEN (what the injector does from the pod's
    // dapr.io/app-token-secret) and sends it on each call into its app, which requires it.
    const appToken = stack.deps.appToken!;
    const baseDeps = { ...stack.deps, db: pool.db, config, log, appToken };

    const functions = new Map<string, FunctionUnderTest>();
    const clockSpec = catalog.find((f) => f.kind === 'clock')!;
    const eventSpecs = catalog.filter((f) => f.kind === 'event');
    async function startSidecar(name: string, appPort: number): Promise<RunningDaprd> {
      const daprd = await startDaprd({
        appId: name,
        appPort,
        resourcesPath: resources,
        configPath: daprConfig,
        schedulerAddress: scheduler.address,
        env: { APP_API_TOKEN: appToken },
      });
      cleanups.push(() => daprd.stop());
      return daprd;
    }
    // A daprd's ports are known only once it starts, and it starts only once its app listens: the apps'
    // ports point at a slot filled right after.
    async function startFunction(name: string, jobs: (daprHttpPort: () => number) => JobScheduler) {
      const create = eventApps[name];
      if (!create) throw new Error(`registry.ts has no eventApps entry for ${name}`);
      let daprd: RunningDaprd | undefined;
      // The current sidecar: stopDaprd() may replace the one started here.
      const port = () => {
        const current = functions.get(name)?.daprd ?? daprd;
        if (!current) throw new Error(`${name}: daprd not started yet`);
        return current.httpPort;
      };
      const deps: EventDeps = { ...baseDeps, jobs: jobs(port) };
      const server = await listen(create(deps), 0, '127.0.0.1');
      cleanups.push(() => server.close(1000));
      daprd = await startSidecar(name, server.port);
      functions.set(name, { name, server, daprd });
    }
    const lazy = (make: (port: number) => JobScheduler) => (port: () => number) => ({
      schedule: (job: Parameters<JobScheduler['schedule']>[0]) => make(port()).schedule(job),
      remove: (name: string) => make(port()).remove(name),
    });
    await startFunction(
      clockSpec.name,
      lazy((httpPort) => daprJobs({ httpPort })),
    );
    // Event functions schedule on the clock's /jobs endpoint, as in the cluster (CLOCK_URL).
    const clockUrl = `http://127.0.0.1:${functions.get(clockSpec.name)!.server.port}`;
    for (const spec of eventSpecs)
      await startFunction(spec.name, () => clockJobsClient({ clockUrl, secret: TEST_JWT_SECRET }));

    const clockDaprd = () => functions.get(clockSpec.name)!.daprd;
    const publisher: EventPublisher = {
      publish: (topic, event) =>
        daprPublisher({ httpPort: clockDaprd().httpPort, pubsubName: 'pubsub' }).publish(topic, event),
    };
    // The relay as the clock's container runs it: NOTIFY-woken, publishing through the clock's sidecar.
    const relay = createOutboxRelay({
      db: pool.db,
      publisher,
      log,
      databaseUrl,
      baseBackoffMs: 250,
      maxBackoffMs: 2000,
    });
    await relay.start();
    cleanups.push(() => relay.stop());

    const kafkaClient = () =>
      new Kafka({ clientId: 'e2e', brokers: [kafka.brokers], logLevel: logLevel.NOTHING });

    return {
      appToken,
      apiUrl: `http://127.0.0.1:${api.port}`,
      db: pool.db,
      brokers: kafka.brokers,
      emails: resend.emails,
      relay,
      functions,
      publisher,
      clockJobs: lazy((httpPort) => daprJobs({ httpPort }))(() => clockDaprd().httpPort),
      kafka: kafkaClient,
      async stopKafka() {
        const again = await restartLike({
          name: 'kafka',
          marker: join(kafka.dir, 'server.properties'),
          stopOriginal: () => (kafkaRestarted ? kafkaRestarted.stop() : kafka.stop()),
          logFile: kafka.logFile,
          cwd: kafka.dir,
          keepDir: true,
          ready: async () => {
            const adm = kafkaClient().admin();
            try {
              await adm.connect();
              await adm.describeCluster();
              return true;
            } finally {
              await adm.disconnect().catch(() => {});
            }
          },
        });
        return async () => {
          kafkaRestarted = await again();
        };
      },
      async restartScheduler() {
        const again = await restartLike({
          name: 'dapr scheduler',
          marker: `--etcd-data-dir=${join(scheduler.dir, 'etcd')}`,
          stopOriginal: () => (schedulerRestarted ? schedulerRestarted.stop() : scheduler.stop()),
          logFile: scheduler.logFile,
          cwd: scheduler.dir,
          keepDir: true,
          ready: async (args) => {
            const port = args.find((a) => a.startsWith('--healthz-port='))?.split('=')[1];
            const res = await fetch(`http://127.0.0.1:${port}/healthz`, {
              signal: AbortSignal.timeout(1000),
            });
            await res.arrayBuffer();
            return res.ok;
          },
        });
        schedulerRestarted = await again();
      },
      async stopDaprd(name) {
        const f = functions.get(name);
        if (!f) throw new Error(`no function ${name} under test`);
        await f.daprd.stop();
        return async () => {
          f.daprd = await startSidecar(name, f.server.port);
        };
      },
      async startBuiltFunction(name, appId, env) {
        const spec = catalog.find((f) => f.name === name);
        if (!spec) throw new Error(`no catalog function ${name}`);
        if (spec.subscriptions.length)
          writeFileSync(
            join(resources, `subscriptions-${appId}.yaml`),
            renderYaml(daprSubscriptions([{ ...spec, name: appId }])),
          );
        const bundleDir = makeTempDir('bundles');
        cleanups.push(async () => rmSync(bundleDir, { recursive: true, force: true }));
        const container = await startContainer({
          bundle: await bundleContainer(spec, bundleDir),
          appId,
          env: {
            JWT_SECRET: TEST_JWT_SECRET,
            APP_API_TOKEN: appToken,
            LOG_LEVEL: opts.log ? 'info' : 'warn',
            ...env,
          },
          resourcesPath: resources,
          configPath: daprConfig,
          schedulerAddress: scheduler.address,
        });
        cleanups.push(() => container.stop());
        return container;
      },
      async close() {
        for (const c of cleanups.reverse()) await c().catch(() => {});
      },
    };
  } catch (e) {
    for (const c of cleanups.reverse()) await c().catch(() => {});
    throw e;
  }
}
