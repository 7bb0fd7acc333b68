// Event latency, publish → consumer handler, through the product's path (Dapr pub/sub on Kafka: the
// publishing sidecar, the broker, the consuming sidecar, the app's route) beside kafkajs produce →
// consume on the same broker. One message in flight at a time, so this is latency, not throughput.
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeCloudEvent } from '@todo/core/events';
import { daprPublisher } from '@todo/core/runtime/dapr';
import { listen } from '@todo/core/runtime/serve';
import { Hono } from 'hono';
import { Kafka, logLevel } from 'kafkajs';
import { daprSubscriptions, renderYaml } from '../../platform/derive/dapr-subscriptions.ts';
import { renderResources, startDaprd } from '../../platform/engines/dapr.ts';
import { startKafka } from '../../platform/engines/kafka.ts';
import { type BenchRow, ms, percentile, ratio } from './stats.ts';

const componentsDir = fileURLToPath(new URL('../../dapr-components/standalone/', import.meta.url));
const TOPIC = 'bench-events';
const REF_TOPIC = 'bench-events-kafkajs';

/** Resolves when `id` is received, or rejects after `timeoutMs` (a lost message is a failed benchmark). */
function waiter() {
  const pending = new Map<string, (t: number) => void>();
  return {
    arrived(id: string) {
      const t = performance.now();
      pending.get(id)?.(t);
      pending.delete(id);
    },
    expect(id: string, timeoutMs = 10_000): Promise<number> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`message ${id} did not arrive within ${timeoutMs} ms`));
        }, timeoutMs);
        pending.set(id, (t) => {
          clearTimeout(timer);
          resolve(t);
        });
      });
    },
  };
}

export interface EventBenchOptions {
  samples?: number;
  warmup?: number;
}

export async function benchEventLatency(opts: EventBenchOptions = {}): Promise<BenchRow[]> {
  const samples = opts.samples ?? 300;
  const warmup = opts.warmup ?? 30;
  const stops: (() => Promise<unknown>)[] = [];
  try {
    const kafka = await startKafka({ partitions: 1 });
    stops.push(() => kafka.stop());
    const client = new Kafka({ clientId: 'bench', brokers: [kafka.brokers], logLevel: logLevel.NOTHING });
    // Both topics exist before anyone subscribes (a consumer joining a topic being auto-created fails).
    const admin = client.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: TOPIC }, { topic: REF_TOPIC }], waitForLeaders: true });
    await admin.disconnect();

    // The consumer: a route like an event function's, behind its own daprd and a derived Subscription.
    const ours = waiter();
    const app = new Hono();
    app.post(`/events/${TOPIC}`, async (c) => {
      const event = (await c.req.json()) as { id: string };
      ours.arrived(event.id);
      return c.json({ status: 'SUCCESS' });
    });
    const server = await listen(app, 0, '127.0.0.1');
    stops.push(() => server.close(1000));
    const resources = renderResources(componentsDir, { KAFKA_BROKERS: kafka.brokers });
    const subscriber = {
      name: 'bench-consumer',
      kind: 'event' as const,
      description: '',
      routes: [],
      subscriptions: [{ topic: TOPIC, route: `/events/${TOPIC}` }],
      scaling: { minReplicas: 0, maxReplicas: 1 },
      resources: { cpu: '1m', memory: '1Mi' },
    };
    writeFileSync(join(resources, 'subscriptions.yaml'), renderYaml(daprSubscriptions([subscriber])));
    const configPath = join(componentsDir, 'config', 'configuration.yaml');
    const consumerSidecar = await startDaprd({
      appId: subscriber.name,
      appPort: server.port,
      resourcesPath: resources,
      configPath,
    });
    stops.push(() => consumerSidecar.stop());
    const publisherSidecar = await startDaprd({
      appId: 'bench-publisher',
      resourcesPath: resources,
      configPath,
    });
    stops.push(() => publisherSidecar.stop());
    const publisher = daprPublisher({ httpPort: publisherSidecar.httpPort, pubsubName: 'pubsub' });

    // The reference: kafkajs producer and consumer on the same broker.
    const producer = client.producer();
    await producer.connect();
    stops.push(() => producer.disconnect());
    const ref = waiter();
    const consumer = client.consumer({ groupId: 'bench-kafkajs', maxWaitTimeInMs: 100 });
    await consumer.connect();
    stops.push(() => consumer.disconnect());
    await consumer.subscribe({ topic: REF_TOPIC, fromBeginning: false });
    await consumer.run({
      eachMessage: async ({ message }) => {
        ref.arrived(message.value?.toString() ?? '');
      },
    });

    const viaDapr = async () => {
      const event = makeCloudEvent('TaskDeleted.v1', {} as never, { source: 'bench', subject: randomUUID() });
      const arrival = ours.expect(event.id, 30_000);
      const start = performance.now();
      await publisher.publish(TOPIC, event);
      return (await arrival) - start;
    };
    const viaKafkajs = async () => {
      const id = randomUUID();
      const arrival = ref.expect(id, 30_000);
      const start = performance.now();
      await producer.send({ topic: REF_TOPIC, messages: [{ key: id, value: id }] });
      return (await arrival) - start;
    };
    // Warm-up also waits out both consumer groups joining (the first messages arrive after the join).
    for (let i = 0; i < warmup; i++) {
      await viaDapr();
      await viaKafkajs();
    }
    const a: number[] = [];
    const b: number[] = [];
    for (let i = 0; i < samples; i++) {
      a.push(await viaDapr());
      b.push(await viaKafkajs());
    }
    const p50 = [percentile(a, 50), percentile(b, 50)] as const;
    const p99 = [percentile(a, 99), percentile(b, 99)] as const;
    return [
      {
        metric: `event publish → handler p50 (daprd + Kafka, n=${samples})`,
        ours: ms(p50[0]),
        reference: `${ms(p50[1])} kafkajs`,
        ratio: ratio(p50[0], p50[1]),
        target: '≤ 20 ms',
      },
      {
        metric: `event publish → handler p99 (daprd + Kafka, n=${samples})`,
        ours: ms(p99[0]),
        reference: `${ms(p99[1])} kafkajs`,
        ratio: ratio(p99[0], p99[1]),
        target: '≤ 100 ms',
      },
    ];
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
  }
}
