// Proves the real engines start from the project's own scripts and do what the architecture relies on:
// Kafka (kafkajs round trip), Dapr Jobs firing back to the app, and Dapr pub/sub on Kafka.
// Nothing here skips: a missing engine is a failure that names the get-*.sh script to run.
import { execFile } from 'node:child_process';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ensureDapr,
  type RunningDaprd,
  type RunningScheduler,
  renderResources,
  startDaprd,
  startScheduler,
} from './dapr.ts';
import { ensureK8sTools } from './k8s-tools.ts';
import { ensureKafka, type RunningKafka, startKafka } from './kafka.ts';
import { enginesDir, removeTempDir } from './proc.ts';

interface Received {
  method: string;
  path: string;
  contentType: string | undefined;
  body: string;
}

/** A tiny app on 127.0.0.1: records every request; answers as `reply` says (404 for Dapr's discovery). */
interface ProbeApp {
  port: number;
  received: Received[];
  /** Status for a request that is not Dapr discovery (/dapr/*) or an event; default 200. */
  reply: (r: Received) => number;
  /** Dapr subscription answer for an event delivered to /events/*; default SUCCESS. */
  eventStatus: (r: Received) => 'SUCCESS' | 'RETRY' | 'DROP';
  waitFor(pred: (r: Received) => boolean, timeoutMs: number): Promise<Received>;
  close(): Promise<void>;
}

async function startProbeApp(): Promise<ProbeApp> {
  const received: Received[] = [];
  const waiters: Array<() => void> = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        method: req.method ?? '',
        path: req.url ?? '',
        contentType: req.headers['content-type'],
        body: Buffer.concat(chunks).toString('utf8'),
      };
      received.push(r);
      for (const w of waiters.splice(0)) w();
      if (r.path.startsWith('/dapr/')) {
        res.writeHead(404).end();
      } else if (r.path.startsWith('/events/')) {
        res
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ status: probe.eventStatus(r) }));
      } else {
        res.writeHead(probe.reply(r)).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  if (!addr || typeof addr === 'string') throw new Error('no port');
  const probe: ProbeApp = {
    port: addr.port,
    received,
    reply: (_r: Received) => 200,
    eventStatus: (_r: Received) => 'SUCCESS',
    async waitFor(pred, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = received.find(pred);
        if (hit) return hit;
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new Error(
            `timed out after ${timeoutMs} ms; the app saw: ${JSON.stringify(received.map((r) => `${r.method} ${r.path}`))}`,
          );
        }
        await new Promise<void>((r) => {
          const t = setTimeout(r, Math.min(left, 250));
          waiters.push(() => {
            clearTimeout(t);
            r();
          });
        });
      }
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
  return probe;
}

let kafka: RunningKafka | undefined;
let scheduler: RunningScheduler | undefined;
const cleanups: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  // On a fresh machine this fetches Kafka (~1 min) and builds Dapr (tens of minutes) into ~/.cache/todo-fn.
  await Promise.all([ensureKafka(), ensureDapr()]);
}, 60 * 60_000);

beforeAll(async () => {
  const t0 = Date.now();
  [kafka, scheduler] = await Promise.all([startKafka({ partitions: 3 }), startScheduler()]);
  console.log(`kafka ${kafka.brokers} + scheduler ${scheduler.address} ready in ${Date.now() - t0} ms`);
}, 180_000);

afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  await Promise.all([kafka?.stop(), scheduler?.stop()]);
}, 60_000);

describe('Kafka (single-node KRaft from get-kafka.sh)', () => {
  it('creates a 3-partition topic and round-trips a message with kafkajs', async () => {
    const client = new Kafka({
      clientId: 'engines-test',
      brokers: [kafka!.brokers],
      logLevel: logLevel.WARN,
    });
    const admin = client.admin();
    await admin.connect();
    const producer = client.producer({ allowAutoTopicCreation: false });
    const consumer = client.consumer({ groupId: 'engines-test' });
    try {
      await admin.createTopics({
        topics: [{ topic: 'engines-probe', numPartitions: 3 }],
        waitForLeaders: true,
      });
      const meta = await admin.fetchTopicMetadata({ topics: ['engines-probe'] });
      expect(meta.topics[0]?.partitions).toHaveLength(3);

      await producer.connect();
      await producer.send({ topic: 'engines-probe', messages: [{ key: 'task-1', value: 'hello kafka' }] });

      await consumer.connect();
      await consumer.subscribe({ topic: 'engines-probe', fromBeginning: true });
      const got = await new Promise<{ key: string; value: string }>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            resolve({ key: message.key?.toString() ?? '', value: message.value?.toString() ?? '' });
          },
        });
      });
      expect(got).toEqual({ key: 'task-1', value: 'hello kafka' });
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
      await admin.disconnect();
    }
  }, 60_000);
});

describe('Dapr Jobs (scheduler + daprd from get-dapr.sh)', () => {
  it('fires a one-shot job back to the scheduling app as POST /job/<name> with the data as body', async () => {
    const app = await startProbeApp();
    cleanups.push(() => app.close());
    const daprd: RunningDaprd = await startDaprd({
      appId: 'clock-probe',
      appPort: app.port,
      schedulerAddress: scheduler!.address,
    });
    cleanups.push(() => daprd.stop());

    const data = { taskId: 't-42', kind: 'reminder' };
    const due = Date.now() + 2000;
    const res = await fetch(`${daprd.httpUrl}/v1.0-alpha1/jobs/probe-1`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dueTime: new Date(due).toISOString(), data }),
    });
    expect(res.status, await res.text()).toBe(204);

    const got = await app.waitFor((r) => r.path.startsWith('/job/'), 30_000);
    const firedAt = Date.now();
    console.log(`job fired ${firedAt - due} ms after its dueTime: ${got.method} ${got.path} ${got.body}`);
    expect(got.method).toBe('POST');
    expect(got.path).toBe('/job/probe-1');
    expect(got.contentType).toBe('application/json');
    expect(JSON.parse(got.body)).toEqual(data);
    expect(firedAt).toBeGreaterThanOrEqual(due - 100);
  }, 120_000);

  it('retries a 5xx answer, not a 404, and parks a trigger until a sidecar of the app-id connects', async () => {
    const app = await startProbeApp();
    cleanups.push(() => app.close());
    let failures = 0;
    app.reply = (r) => {
      if (r.path === '/job/gone') return 404;
      if (r.path === '/job/flaky' && failures++ < 2) return 500;
      return 200;
    };
    const opts = { appId: 'clock-probe-2', appPort: app.port, schedulerAddress: scheduler!.address };
    let daprd = await startDaprd(opts);
    const schedule = async (name: string, inMs: number) => {
      const res = await fetch(`${daprd.httpUrl}/v1.0-alpha1/jobs/${name}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dueTime: new Date(Date.now() + inMs).toISOString(), data: { name } }),
      });
      expect(res.status, await res.text()).toBe(204);
    };
    await schedule('gone', 500);
    await schedule('flaky', 500);
    const count = (path: string) => app.received.filter((r) => r.path === path).length;
    // Default failure policy: constant, 1 s interval, 3 retries.
    await app.waitFor(() => count('/job/flaky') === 3, 15_000);
    expect(count('/job/gone')).toBe(1);

    await schedule('parked', 1000);
    await daprd.stop();
    await new Promise((r) => setTimeout(r, 2500)); // due while no sidecar of clock-probe-2 runs
    expect(count('/job/parked')).toBe(0);
    daprd = await startDaprd(opts);
    cleanups.push(() => daprd.stop());
    const parked = await app.waitFor((r) => r.path === '/job/parked', 15_000);
    expect(JSON.parse(parked.body)).toEqual({ name: 'parked' });
  }, 120_000);
});

describe('Dapr pub/sub on Kafka (pubsub.kafka component + declarative Subscription)', () => {
  it('delivers CloudEvents published before/after the subscriber started; RETRY ends in the dead-letter topic', async () => {
    const resources = renderResources(join(enginesDir, 'fixtures', 'pubsub'), {
      KAFKA_BROKERS: kafka!.brokers,
    });
    cleanups.push(() => removeTempDir(resources));

    // A publisher-only sidecar publishes first: the subscriber's consumer group does not exist yet.
    const publisher = await startDaprd({ appId: 'pubsub-publisher', resourcesPath: resources });
    cleanups.push(() => publisher.stop());
    const publish = async (url: string, body: unknown) => {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, await res.text()).toBeLessThan(300);
    };
    await publish(`${publisher.httpUrl}/v1.0/publish/pubsub/probe-events`, { n: 1, hello: 'before' });

    const app = await startProbeApp();
    cleanups.push(() => app.close());
    const subscriber = await startDaprd({
      appId: 'pubsub-probe',
      appPort: app.port,
      resourcesPath: resources,
    });
    cleanups.push(() => subscriber.stop());

    const first = await app.waitFor((r) => r.path === '/events/probe', 60_000);
    expect(first.method).toBe('POST');
    expect(first.contentType).toContain('application/cloudevents+json');
    const ce1 = JSON.parse(first.body) as Record<string, unknown>;
    expect(ce1).toMatchObject({
      specversion: '1.0',
      topic: 'probe-events',
      pubsubname: 'pubsub',
      source: 'pubsub-publisher',
      data: { n: 1, hello: 'before' },
    });

    await publish(`${subscriber.httpUrl}/v1.0/publish/pubsub/probe-events`, { n: 2, hello: 'after' });
    const second = await app.waitFor(
      (r) => r.path === '/events/probe' && (JSON.parse(r.body) as { data?: { n?: number } }).data?.n === 2,
      30_000,
    );
    expect(JSON.parse(second.body)).toMatchObject({ source: 'pubsub-probe', data: { n: 2, hello: 'after' } });

    // RETRY is retried by the Resiliency policy (3 retries), then the event goes to the deadLetterTopic.
    const dataN = (r: Received) => (JSON.parse(r.body) as { data?: { n?: number } }).data?.n;
    app.eventStatus = (r) => (dataN(r) === 3 ? 'RETRY' : 'SUCCESS');
    await publish(`${subscriber.httpUrl}/v1.0/publish/pubsub/probe-events?metadata.partitionKey=task-3`, {
      n: 3,
    });
    const count3 = () => app.received.filter((r) => r.path === '/events/probe' && dataN(r) === 3).length;
    await app.waitFor(() => count3() === 4, 30_000);
    const third = app.received.find((r) => r.path === '/events/probe' && dataN(r) === 3)!;

    const client = new Kafka({ brokers: [kafka!.brokers], logLevel: logLevel.NOTHING });
    const dlqConsumer = client.consumer({ groupId: 'engines-dlq-reader' });
    const admin = client.admin();
    await admin.connect();
    try {
      // Dapr creates the dead-letter topic on its first publish; wait for the message to land.
      const deadline = Date.now() + 30_000;
      for (;;) {
        const offsets = await admin.fetchTopicOffsets('probe-events-dlq').catch(() => []);
        if (offsets.some((o) => Number(o.high) > 0)) break;
        if (Date.now() > deadline) throw new Error('nothing reached probe-events-dlq within 30 s');
        await new Promise((r) => setTimeout(r, 250));
      }
      await dlqConsumer.connect();
      await dlqConsumer.subscribe({ topic: 'probe-events-dlq', fromBeginning: true });
      const dead = await new Promise<{ key: string; data: unknown }>((resolve) => {
        void dlqConsumer.run({
          eachMessage: async ({ message }) => {
            const ce = JSON.parse(message.value?.toString() ?? '{}') as { data?: unknown };
            resolve({ key: message.key?.toString() ?? '', data: ce.data });
          },
        });
      });
      expect(dead).toEqual({ key: 'task-3', data: { n: 3 } });
      expect(count3()).toBe(4);
      expect(JSON.parse(third.body)).toMatchObject({ data: { n: 3 } });

      // No consumerGroup in the component: Dapr's group is the app-id (what KEDA's Kafka trigger watches).
      const { groups } = await admin.listGroups();
      expect(groups.map((g) => g.groupId)).toContain('pubsub-probe');
      const meta = await admin.fetchTopicMetadata({ topics: ['probe-events'] });
      expect(meta.topics[0]?.partitions).toHaveLength(3); // auto-created with num.partitions=3
    } finally {
      await dlqConsumer.disconnect();
      await admin.disconnect();
    }
  }, 180_000);
});

describe('kubeconform against the offline schemas (get-k8s-tools.sh)', () => {
  const run = (args: string[]) =>
    new Promise<{ code: number; out: string }>((resolve) => {
      execFile('bash', args, (err, stdout, stderr) => {
        resolve({ code: err ? Number(err.code ?? 1) : 0, out: stdout + stderr });
      });
    });
  const fixture = (f: string) => join(enginesDir, 'fixtures', 'k8s', f);

  it(
    'accepts valid core, KEDA, HTTPScaledObject and Dapr objects',
    async () => {
      await ensureK8sTools();
      const { code, out } = await run([join(enginesDir, 'kubeconform.sh'), fixture('valid.yaml')]);
      expect(out).toContain('Valid: 7, Invalid: 0, Errors: 0, Skipped: 0');
      expect(code).toBe(0);
    },
    30 * 60_000,
  );

  it('rejects typos, wrong types, duplicate keys and unknown kinds', async () => {
    const { code, out } = await run([join(enginesDir, 'kubeconform.sh'), fixture('invalid.yaml')]);
    expect(code).not.toBe(0);
    expect(out).toContain("additional properties 'lables' not allowed");
    expect(out).toContain("additional properties 'minReplicas' not allowed");
    expect(out).toContain("additional properties 'deadLetter' not allowed");
    expect(out).toContain('key "name" already set in map');
    expect(out).toContain('could not find schema for Unknown');
    expect(out).toContain('Valid: 0');
  }, 60_000);
});
