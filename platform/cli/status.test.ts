// `todo-platform status` against a fake Kubernetes API server (node:http speaking the API paths it
// reads) and a real Kafka broker (platform/engines startKafka) for the consumer-lag column.
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningKafka, startKafka } from '../engines/kafka.ts';
import { connect, ensureReachable, PlatformError } from './kube.ts';
import { consumerLag } from './lag.ts';
import { main } from './main.ts';
import { collectStatus, type LagReader, renderStatus } from './status.ts';

const NS = 'todo-app';
const SCALED_DOWN_AT = '2026-01-01T10:00:00Z';

const deployment = (name: string, scaler: string, replicas: number, ready: number) => ({
  metadata: {
    name,
    namespace: NS,
    labels: { 'app.kubernetes.io/component': 'function', 'todo.dev/scaler': scaler },
  },
  spec: { replicas },
  status: ready > 0 ? { readyReplicas: ready } : {},
});
const kafkaTrigger = (group: string, topic: string) => ({
  type: 'kafka',
  metadata: { bootstrapServers: 'kafka:9092', consumerGroup: group, topic, lagThreshold: '50' },
});

/** What the fake API server answers, by path; `null` = 404 (as for a CRD that is not installed). */
function clusterState(opts: { keda: boolean }): Record<string, unknown> {
  return {
    [`/apis/apps/v1/namespaces/${NS}/deployments`]: {
      kind: 'DeploymentList',
      apiVersion: 'apps/v1',
      metadata: {},
      items: [
        deployment('gateway', 'always-on', 1, 1),
        deployment('audit', 'events', 0, 0),
        deployment('create-task', 'http-scale-to-zero', 2, 1),
      ],
    },
    [`/apis/keda.sh/v1alpha1/namespaces/${NS}/scaledobjects`]: opts.keda
      ? {
          items: [
            {
              metadata: { name: 'audit' },
              spec: {
                scaleTargetRef: { name: 'audit' },
                minReplicaCount: 0,
                maxReplicaCount: 3,
                triggers: [kafkaTrigger('audit', 'task-events'), kafkaTrigger('audit', 'task-updates')],
              },
            },
          ],
        }
      : null,
    [`/apis/http.keda.sh/v1alpha1/namespaces/${NS}/httpscaledobjects`]: opts.keda
      ? {
          items: [
            {
              metadata: { name: 'create-task' },
              spec: { scaleTargetRef: { name: 'create-task' }, replicas: { min: 0, max: 5 } },
            },
          ],
        }
      : null,
    [`/api/v1/namespaces/${NS}/events`]: {
      kind: 'EventList',
      apiVersion: 'v1',
      metadata: {},
      items: [
        {
          metadata: { name: 'e1', namespace: NS },
          involvedObject: { kind: 'ScaledObject', name: 'audit' },
          reason: 'KEDAScaleTargetDeactivated',
          message: 'Deactivated apps/v1.Deployment todo-app/audit from 1 to 0',
          lastTimestamp: SCALED_DOWN_AT,
        },
        {
          metadata: { name: 'e0', namespace: NS },
          involvedObject: { kind: 'ScaledObject', name: 'audit' },
          reason: 'KEDAScaleTargetActivated',
          message: 'Scaled apps/v1.Deployment todo-app/audit from 0 to 1',
          lastTimestamp: '2026-01-01T09:58:00Z',
        },
        {
          metadata: { name: 'e2', namespace: NS },
          involvedObject: { kind: 'Deployment', name: 'create-task' },
          reason: 'ScalingReplicaSet',
          message: 'Scaled up replica set create-task-5d8f to 2',
          lastTimestamp: '2026-01-01T09:59:00Z',
        },
      ],
    },
    '/api/v1/namespaces': { kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [] },
  };
}

interface FakeApi {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

async function startFakeApi(state: Record<string, unknown>): Promise<FakeApi> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fake');
    requests.push(`${req.method} ${url.pathname}${url.search}`);
    const body = state[url.pathname];
    if (body === undefined || body === null) {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          status: 'Failure',
          reason: 'NotFound',
          code: 404,
          message: `the server could not find the requested resource`,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

function kubeConfigFor(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'fake', server, skipTLSVerify: true }],
    users: [{ name: 'tester' }],
    contexts: [{ name: 'fake', cluster: 'fake', user: 'tester' }],
    currentContext: 'fake',
  });
  return kc;
}

const fixedLag: LagReader = async (group) => (group === 'audit' ? 7 : 0);

describe('status against a fake API server', () => {
  let api: FakeApi;
  beforeAll(async () => {
    api = await startFakeApi(clusterState({ keda: true }));
  });
  afterAll(() => api.close());

  it('renders one row per function: replicas, at zero, KEDA bounds, group lag, last scale event', async () => {
    const rows = await collectStatus(connect(kubeConfigFor(api.url)), NS, fixedLag);
    const table = renderStatus(rows, new Date('2026-01-01T10:05:00Z'));
    const lines = table.split('\n');
    expect(lines[0]).toMatch(
      /^FUNCTION\s+SCALER\s+DESIRED\s+READY\s+AT ZERO\s+MIN\/MAX\s+CONSUMER GROUP\s+LAG\s+LAST SCALE EVENT$/,
    );
    const row = (name: string) => lines.find((l) => l.startsWith(`${name} `))!.split(/\s{2,}/);
    expect(row('audit')).toEqual([
      'audit',
      'events',
      '0',
      '0',
      'yes',
      '0/3',
      'audit',
      '7',
      'Deactivated apps/v1.Deployment todo-app/audit from 1 to 0 (5m ago)',
    ]);
    expect(row('create-task')).toEqual([
      'create-task',
      'http-scale-to-zero',
      '2',
      '1',
      'no',
      '0/5',
      '-',
      '-',
      'Scaled up replica set create-task-5d8f to 2 (6m ago)',
    ]);
    expect(row('gateway')).toEqual(['gateway', 'always-on', '1', '1', 'no', '1/1', '-', '-', '-']);
    expect(lines).toHaveLength(4);
    // Functions are found by their label, not by a list kept in the CLI.
    expect(api.requests).toContain(
      `GET /apis/apps/v1/namespaces/${NS}/deployments?labelSelector=app.kubernetes.io%2Fcomponent%3Dfunction`,
    );
  });

  it('says the lag could not be read instead of failing the whole table', async () => {
    const rows = await collectStatus(connect(kubeConfigFor(api.url)), NS, async () => {
      throw new Error('broker down');
    });
    expect(rows.find((r) => r.name === 'audit')?.lag).toBe('? (broker down)');
  });
});

describe('status errors', () => {
  it('names KEDA as missing when its CRDs are not installed', async () => {
    const api = await startFakeApi(clusterState({ keda: false }));
    try {
      const err = await collectStatus(connect(kubeConfigFor(api.url)), NS, fixedLag).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PlatformError);
      expect((err as Error).message).toMatch(
        /scaledobjects\.keda\.sh is not known to the cluster: KEDA is not installed/,
      );
    } finally {
      await api.close();
    }
  });

  it('says the cluster does not answer, and how to start one, when nothing listens', async () => {
    const dead = await startFakeApi({});
    await dead.close(); // the port is now closed
    const err = await ensureReachable(connect(kubeConfigFor(dead.url))).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PlatformError);
    expect((err as Error).message).toMatch(/does not answer.*minikube start --cpus 4 --memory 8g/s);
  });

  it('says there is no cluster configured when the kubeconfig has no current context', () => {
    expect(() => connect(new KubeConfig())).toThrow(/No Kubernetes cluster configured/);
  });
});

describe('consumer lag on a real Kafka broker', () => {
  let kafka: RunningKafka;
  let admin: Admin;
  let client: Kafka;
  beforeAll(async () => {
    kafka = await startKafka({ partitions: 3 });
    client = new Kafka({ clientId: 'status-test', brokers: [kafka.brokers], logLevel: logLevel.NOTHING });
    admin = client.admin();
    await admin.connect();
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        { topic: 'task-events', numPartitions: 3 },
        { topic: 'task-updates', numPartitions: 3 },
        { topic: 'reminders', numPartitions: 3 },
      ],
    });
    // Idempotent: a send retried under load must not write the messages twice (the counts are exact).
    const producer = client.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    // task-events: 4 + 3 + 3 messages on partitions 0, 1, 2; task-updates: 4; reminders: 5.
    const on = (topic: string, partition: number, n: number) => ({
      topic,
      messages: Array.from({ length: n }, (_, i) => ({ partition, value: `${topic}-${partition}-${i}` })),
    });
    await producer.sendBatch({
      topicMessages: [
        on('task-events', 0, 4),
        on('task-events', 1, 3),
        on('task-events', 2, 3),
        on('task-updates', 1, 4),
        on('reminders', 0, 5),
      ],
    });
    await producer.disconnect();
    // A cold cache fetches Kafka from Maven Central first (platform/engines/get-kafka.sh).
  }, 15 * 60_000);
  afterAll(async () => {
    await admin?.disconnect();
    await kafka?.stop();
  });

  it('counts end − committed per partition, and a never-committed partition from its start (offsetResetPolicy earliest)', async () => {
    // audit committed 2 of partition 0 and all 3 of partition 1 on task-events; nothing elsewhere.
    await admin.setOffsets({
      groupId: 'audit',
      topic: 'task-events',
      partitions: [
        { partition: 0, offset: '2' },
        { partition: 1, offset: '3' },
      ],
    });
    const lag = await consumerLag(admin, 'audit', ['task-events', 'task-updates']);
    expect(lag.perTopic).toEqual({ 'task-events': 2 + 0 + 3, 'task-updates': 4 });
    expect(lag.lag).toBe(9);
    // A topic that does not exist yet has no lag (rather than an error).
    expect((await consumerLag(admin, 'audit', ['not-created-yet'])).lag).toBe(0);
  });

  it('drops to 0 once a real consumer of the group has read and committed everything', async () => {
    const consumer = client.consumer({ groupId: 'notify', retry: { retries: 2 } });
    await consumer.connect();
    await consumer.subscribe({ topic: 'reminders', fromBeginning: true });
    // Nothing read yet: the whole topic is lag.
    expect((await consumerLag(admin, 'notify', ['reminders'])).lag).toBe(5);
    let seen = 0;
    const allSeen = new Promise<void>((resolve) => {
      void consumer.run({
        autoCommitThreshold: 1,
        eachMessage: async () => {
          seen++;
          if (seen === 5) resolve();
        },
      });
    });
    await allSeen;
    await vi.waitFor(async () => expect((await consumerLag(admin, 'notify', ['reminders'])).lag).toBe(0), {
      timeout: 30_000,
      interval: 250,
    });
    await consumer.disconnect();
  });

  it('`status --brokers` prints the real lag in the table (fake API server, real broker)', async () => {
    const api = await startFakeApi(clusterState({ keda: true }));
    const dir = mkdtempSync(join(tmpdir(), 'todo-kubeconfig-'));
    const kubeconfig = join(dir, 'config');
    writeFileSync(kubeconfig, kubeConfigFor(api.url).exportConfig());
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: string) => {
      printed.push(line);
    });
    const previous = process.env.KUBECONFIG;
    process.env.KUBECONFIG = kubeconfig;
    try {
      expect(await main(['status', '--brokers', kafka.brokers, '--namespace', NS])).toBe(0);
    } finally {
      process.env.KUBECONFIG = previous;
      log.mockRestore();
      await api.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const auditRow = printed
      .join('\n')
      .split('\n')
      .find((l) => l.startsWith('audit '));
    // The group 'audit' was left at 9 messages behind by the first test.
    expect(auditRow?.split(/\s{2,}/).slice(0, 8)).toEqual([
      'audit',
      'events',
      '0',
      '0',
      'yes',
      '0/3',
      'audit',
      '9',
    ]);
  });
});
