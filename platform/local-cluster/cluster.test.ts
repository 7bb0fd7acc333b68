// The cluster tier: the chart installed by `platform up --target local` into a real control plane, KEDA's
// operator scaling event functions 0 → 1 → 0 on the real lag of their consumer groups, a reminder firing
// through the clock's Dapr job while every event function is at zero, a consuming pod deleted mid-stream,
// and a `helm upgrade` to a new image tag under writes. Facts are read from what the control plane and
// KEDA wrote (Deployments, HPAs, ScaledObject conditions, events), not from our own code.
// Run alone: npx vitest run platform/local-cluster  (TODO_FN_KEEP_ENGINE_DIRS=1 keeps every log).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AutoscalingV2Api, CoordinationV1Api, CoreV1Api } from '@kubernetes/client-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../functions/testing/database.ts';
import { directKafka } from '../cli/kafka-access.ts';
import { connect, type Kube } from '../cli/kube.ts';
import { upLocal } from '../cli/local-target.ts';
import { collectStatus, renderStatus } from '../cli/status.ts';
import { type LocalCluster, startLocalCluster } from './start.ts';

const NS = 'todo-app';
/** Each test waits on real controllers on a shared 2-core machine: bounds, not speed targets. */
const SLOW = 420_000;
const EVENT_FUNCTIONS = ['audit', 'schedule-reminder', 'schedule-recurrence', 'notify'];
const lines: string[] = [];
const log = (line: string) => {
  lines.push(`${new Date().toISOString().slice(11, 23)} ${line}`);
  if (process.env.CLUSTER_LOG === '1') console.log(line);
};

let cluster: LocalCluster;
let kube: Kube;
let db: pg.Pool;
let api: string;

beforeAll(async () => {
  cluster = await startLocalCluster({ log });
  kube = connect(cluster.kc);
  await upLocal(kube, { namespace: NS, tag: 'first', timeoutMs: 300_000, log });
  const gw = await kube.core.readNamespacedService({ name: 'gateway', namespace: NS });
  api = `http://${gw.spec?.clusterIP}:8080`;
  db = new pg.Pool({ connectionString: cluster.hostDatabaseUrl, max: 2 });
}, 3_600_000);

afterAll(async () => {
  await db?.end();
  await cluster?.stop();
  if (process.env.CLUSTER_LOG !== '1')
    console.log(`cluster tier log (last 80 lines):\n${lines.slice(-80).join('\n')}`);
}, 180_000);

/** eventually() (functions/testing) with the timeout first, as the waits below read best. */
const until = <T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined | false>) =>
  eventually(what, probe, timeoutMs, 250);

async function call(method: string, path: string, token?: string, body?: unknown) {
  const res = await fetch(api + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function signUp() {
  const res = await call('POST', '/api/v1/auth/signup', undefined, {
    email: `u${randomUUID().slice(0, 8)}@example.com`,
    password: 'correct horse battery',
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.token as string;
}

async function createTask(token: string, body: Record<string, unknown>) {
  const res = await call('POST', '/api/v1/tasks', token, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string };
}

const deployment = (name: string) => kube.apps.readNamespacedDeployment({ name, namespace: NS });
const replicasOf = async (name: string) => (await deployment(name)).spec?.replicas ?? 0;
const readyOf = async (name: string) => (await deployment(name)).status?.readyReplicas ?? 0;

async function scaledObjectCondition(name: string, type: string) {
  const so = (await kube.custom.getNamespacedCustomObject({
    group: 'keda.sh',
    version: 'v1alpha1',
    namespace: NS,
    plural: 'scaledobjects',
    name,
  })) as { status?: { conditions?: { type: string; status: string; reason?: string }[] } };
  return so.status?.conditions?.find((c) => c.type === type);
}

function kedaLog(name: string): string[] {
  const text = readFileSync(cluster.logs['keda-operator'] ?? '', 'utf8');
  return text
    .split('\n')
    .filter((l) => l.includes(`"${name}"`) || l.includes(`/${name}`) || l.includes(` ${name} `));
}

/** A consumer group's lag as KEDA's Kafka scaler reads it (platform/cli/lag.ts, shared with `status`). */
async function groupLag(group: string, topics: string[]) {
  const kafka = await directKafka([cluster.brokers]);
  try {
    return await kafka.readLag(group, topics);
  } finally {
    await kafka.close();
  }
}

describe('install (platform up --target local)', () => {
  it(
    'gateway, clock and live are Ready and every event function is at zero',
    async () => {
      for (const name of ['gateway', 'clock', 'live'])
        expect(await readyOf(name), name).toBeGreaterThanOrEqual(1);
      for (const name of EVENT_FUNCTIONS)
        await until(`${name} at 0 replicas`, 60_000, async () => (await replicasOf(name)) === 0);
      // The clock's pod carries the daprd the injector webhook added, and both containers are ready.
      const pods = await kube.core.listNamespacedPod({
        namespace: NS,
        labelSelector: 'app.kubernetes.io/name=clock',
      });
      const clock = pods.items.find((p) => p.status?.phase === 'Running');
      expect(clock?.spec?.containers.map((c) => c.name)).toEqual(['function', 'daprd']);
      expect(clock?.status?.containerStatuses?.every((c) => c.ready)).toBe(true);
      // daprd loaded the chart's components; the Kubernetes secret store needs the mounted token.
      const daprLog = readFileSync(cluster.podLog(NS, clock?.metadata?.name ?? '', 'daprd') ?? '', 'utf8');
      expect(daprLog).toContain('Component loaded: kubernetes (secretstores.kubernetes/v1)');
      expect(daprLog).toContain('Component loaded: pubsub (pubsub.kafka/v1)');
      const health = await call('GET', '/api/v1/healthz');
      expect(health.status).toBeLessThan(500);
    },
    SLOW,
  );
});

describe('dapr/docs#5014 on this node', () => {
  it(
    'the same daprd without the service-account token fails to start: why the chart mounts it',
    async () => {
      const pods = await kube.core.listNamespacedPod({
        namespace: NS,
        labelSelector: 'app.kubernetes.io/name=clock',
      });
      const template = pods.items[0];
      const name = 'clock-without-token';
      await kube.core.createNamespacedPod({
        namespace: NS,
        body: {
          metadata: { name, annotations: template?.metadata?.annotations },
          spec: {
            ...template?.spec,
            automountServiceAccountToken: false,
            // The injector adds daprd again; only the function container is carried over.
            containers: (template?.spec?.containers ?? []).filter((c) => c.name !== 'daprd'),
            nodeName: undefined,
          },
        },
      });
      try {
        const daprd = await until('daprd of the token-less pod has exited', 90_000, async () => {
          const pod = await kube.core.readNamespacedPod({ name, namespace: NS });
          const c = pod.status?.containerStatuses?.find((x) => x.name === 'daprd');
          return c && (c.restartCount > 0 || c.lastState?.terminated || c.state?.terminated) ? c : undefined;
        });
        expect(daprd.ready).toBe(false);
        const text = readFileSync(cluster.podLog(NS, name, 'daprd') ?? '', 'utf8');
        expect(text).toContain('Failed to init component kubernetes (secretstores.kubernetes/v1)');
        expect(text).toContain('Fatal error from runtime');
      } finally {
        await kube.core.deleteNamespacedPod({ name, namespace: NS });
      }
    },
    SLOW,
  );
});

describe('platform status --target local', () => {
  it(
    'shows replicas, consumer lag and KEDA’s bounds from the real API and the real broker',
    async () => {
      const kafka = await directKafka([cluster.brokers]);
      try {
        const rows = await collectStatus(kube, NS, kafka.readLag);
        log(renderStatus(rows));
        const audit = rows.find((r) => r.name === 'audit');
        expect(audit).toMatchObject({ scaler: 'events', min: 0, group: 'audit' });
        expect(typeof audit?.lag).toBe('number');
        expect(rows.find((r) => r.name === 'gateway')).toMatchObject({ scaler: 'always-on', atZero: false });
      } finally {
        await kafka.close();
      }
    },
    SLOW,
  );
});

describe('KEDA scales event functions on real Kafka lag', () => {
  it(
    'tasks written → audit, schedule-reminder and schedule-recurrence go 0 → 1, drain their lag, and go back to 0',
    async () => {
      const token = await signUp();
      const woken = ['audit', 'schedule-reminder', 'schedule-recurrence'];
      for (const name of woken) expect(await replicasOf(name), `${name} starts at zero`).toBe(0);
      const tasks = [];
      for (let i = 0; i < 5; i++)
        tasks.push(
          await createTask(token, {
            title: `Scale me ${i}`,
            due_at: new Date(Date.now() + 86_400_000).toISOString(),
          }),
        );
      const t0 = Date.now();
      for (const name of woken) {
        await until(`${name} woken by KEDA and Ready`, 90_000, async () => (await readyOf(name)) >= 1);
        log(`${name}: lag → Ready in ${Date.now() - t0} ms`);
        // Active flips back to False as soon as the lag reads as drained, so ask for KEDA's own event.
        const activated = await until(`KEDAScaleTargetActivated for ${name}`, 30_000, async () => {
          const events = await kube.core.listNamespacedEvent({ namespace: NS });
          return events.items.find(
            (e) => e.involvedObject.name === name && e.reason === 'KEDAScaleTargetActivated',
          );
        });
        log(`${name}: ${activated.reason}: ${activated.message}`);
        // KEDA made an HPA for 1 ↔ N, reading the external metric through its adapter.
        const hpa = await kube.config
          .makeApiClient(AutoscalingV2Api)
          .readNamespacedHorizontalPodAutoscaler({ name: `keda-hpa-${name}`, namespace: NS });
        expect(hpa.spec?.metrics?.[0]?.type).toBe('External');
      }
      // 1 ↔ N: the HPA reads the lag through KEDA's adapter (external.metrics.k8s.io via the aggregator).
      const scalingActive = await until('the audit HPA reading its external metric', 30_000, async () => {
        const hpa = await kube.config
          .makeApiClient(AutoscalingV2Api)
          .readNamespacedHorizontalPodAutoscaler({ name: 'keda-hpa-audit', namespace: NS });
        const c = hpa.status?.conditions?.find((x) => x.type === 'ScalingActive');
        return c?.status === 'True' ? c : undefined;
      });
      log(`audit HPA: ScalingActive ${scalingActive.reason}: ${scalingActive.message}`);
      // Every task has its audit row, exactly one: consumed once.
      for (const t of tasks)
        await until(`audit row for ${t.id}`, 60_000, async () => {
          const r = await db.query(
            `select count(*)::int as n from audit_log where entity_id = $1 and event_type like 'TaskCreated%'`,
            [t.id],
          );
          return r.rows[0].n === 1;
        });
      await until('audit lag drained', 60_000, async () => (await groupLag('audit', ['task-events'])) === 0);
      const t1 = Date.now();
      for (const name of woken) {
        await until(
          `${name} back to zero after the cooldown`,
          120_000,
          async () => (await replicasOf(name)) === 0,
        );
        log(`${name}: idle → 0 in ${Date.now() - t1} ms`);
        const active = await scaledObjectCondition(name, 'Active');
        expect(active?.status).toBe('False');
      }
      const events = await kube.core.listNamespacedEvent({ namespace: NS });
      const scaled = events.items.filter(
        (e) => e.involvedObject.name === 'audit' && /Scaled/.test(e.reason ?? ''),
      );
      log(`events for audit: ${scaled.map((e) => `${e.reason}: ${e.message}`).join(' | ')}`);
      const kedaLines = kedaLog('audit');
      log(`KEDA operator on audit:\n${kedaLines.slice(-6).join('\n')}`);
      expect(kedaLines.some((l) => /scal/i.test(l))).toBe(true);
    },
    SLOW,
  );
});

describe('reminders through the clock in the cluster', () => {
  it(
    'with every event function at zero, a reminder fires through the clock’s Dapr job and lands as a notification',
    async () => {
      for (const name of EVENT_FUNCTIONS)
        await until(`${name} at zero`, 120_000, async () => (await replicasOf(name)) === 0);
      const token = await signUp();
      const task = await createTask(token, {
        title: 'Water the plants',
        due_at: new Date(Date.now() + 25_000).toISOString(),
        reminders: [0],
      });
      const page = await until('the notification', 180_000, async () => {
        const res = await call('GET', '/api/v1/notifications', token);
        return res.body?.items?.length ? res.body : undefined;
      });
      expect(page.items[0]).toMatchObject({ task_id: task.id, channel: 'in_app' });
      // notify was woken from zero by the ReminderDue on `reminders`.
      expect((await deployment('notify')).status?.observedGeneration).toBeGreaterThan(0);
    },
    SLOW,
  );
});

describe('a consuming pod deleted mid-stream', () => {
  it(
    'nothing is lost and nothing is applied twice',
    async () => {
      const token = await signUp();
      const ids: string[] = [];
      for (let i = 0; i < 10; i++) ids.push((await createTask(token, { title: `Before ${i}` })).id);
      await until('audit Ready', 90_000, async () => (await readyOf('audit')) >= 1);
      const pods = await kube.core.listNamespacedPod({
        namespace: NS,
        labelSelector: 'app.kubernetes.io/name=audit',
      });
      const victim = pods.items.find((p) => p.status?.phase === 'Running');
      expect(victim).toBeDefined();
      await kube.core.deleteNamespacedPod({ name: victim?.metadata?.name ?? '', namespace: NS });
      for (let i = 0; i < 10; i++) ids.push((await createTask(token, { title: `During ${i}` })).id);
      for (const id of ids)
        await until(`one audit row for ${id}`, 120_000, async () => {
          const r = await db.query(
            `select count(*)::int as n from audit_log where entity_id = $1 and event_type like 'TaskCreated%'`,
            [id],
          );
          return r.rows[0].n === 1;
        });
      const dup = await db.query(
        `select entity_id from audit_log where entity_id = any($1) group by entity_id, event_type having count(*) > 1`,
        [ids],
      );
      expect(dup.rows).toEqual([]);
    },
    SLOW,
  );
});

describe('helm upgrade to a new image tag while tasks are written', () => {
  it(
    'no accepted write loses its event',
    async () => {
      const token = await signUp();
      const accepted: string[] = [];
      const refusals: string[] = [];
      let writing = true;
      const writer = (async () => {
        while (writing) {
          try {
            const res = await call('POST', '/api/v1/tasks', token, { title: `Upgrade ${accepted.length}` });
            if (res.status === 201) accepted.push(res.body.id);
            else
              refusals.push(
                `${new Date().toISOString()} ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`,
              );
          } catch (e) {
            // A connection cut by the rollout: the client would retry; nothing was accepted.
            refusals.push(`${new Date().toISOString()} ${(e as Error).message}`);
          }
          await new Promise((r) => setTimeout(r, 100));
        }
      })();
      await upLocal(kube, { namespace: NS, tag: 'second', timeoutMs: 300_000, log });
      const gw = await kube.core.listNamespacedPod({
        namespace: NS,
        labelSelector: 'app.kubernetes.io/name=gateway',
      });
      expect(gw.items.some((p) => p.spec?.containers[0]?.image?.endsWith(':second'))).toBe(true);
      await new Promise((r) => setTimeout(r, 2000));
      writing = false;
      await writer;
      log(
        `upgrade: ${accepted.length} writes accepted, ${refusals.length} refused or cut during the rollout`,
      );
      expect(accepted.length).toBeGreaterThan(10);
      // Old pods stay in rotation until readiness drops them (config.shutdownDelayMs), then drain.
      expect(refusals, 'writes refused or cut while the pods rolled').toEqual([]);
      for (const id of accepted)
        await until(`audit row for ${id}`, 180_000, async () => {
          const r = await db.query(`select 1 from audit_log where entity_id = $1`, [id]);
          return (r.rowCount ?? 0) > 0;
        });
    },
    SLOW,
  );
});

describe('the node', () => {
  it(
    'is one Ready Node that renews its Lease',
    async () => {
      const core = cluster.kc.makeApiClient(CoreV1Api);
      const nodes = await core.listNode();
      expect(nodes.items.map((n) => n.metadata?.name)).toEqual(['todo-fn-node']);
      expect(nodes.items[0]?.status?.conditions?.find((c) => c.type === 'Ready')?.status).toBe('True');
      const lease = await cluster.kc
        .makeApiClient(CoordinationV1Api)
        .readNamespacedLease({ name: 'todo-fn-node', namespace: 'kube-node-lease' });
      expect(Date.now() - new Date(lease.spec?.renewTime ?? 0).getTime()).toBeLessThan(30_000);
    },
    SLOW,
  );
});

describe('platform down --target local', () => {
  it(
    'uninstalls the release and deletes the namespace',
    async () => {
      const { downLocal } = await import('../cli/local-target.ts');
      await downLocal(kube, { namespace: NS, log });
      await until('namespace todo-app gone', 120_000, async () => {
        try {
          await kube.core.readNamespace({ name: NS });
          return false;
        } catch (e) {
          return (e as { code?: number }).code === 404;
        }
      });
      const pods = await kube.core.listPodForAllNamespaces();
      expect(pods.items.filter((p) => p.metadata?.namespace === NS)).toEqual([]);
    },
    SLOW,
  );
});
