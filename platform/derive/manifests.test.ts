// The chart and the Minikube layers: lint, render, validate against the real schemas (core kinds, KEDA,
// KEDA HTTP add-on, Dapr and External Secrets CRDs, offline), and check that scaling and Dapr agree with each other.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../functions/catalog.ts';
import { chartRequests } from '../cli/dependencies.ts';
import { chartDir, repoRoot } from './generate.ts';
import { deriveDeployment } from './model.ts';
import { type K8sObject, kubeconform, parseObjects, renderChart } from './rendered.ts';
import { k8sTools, run } from './tools.ts';

// helm, kubeconform and the schemas come from platform/engines/get-k8s-tools.sh: minutes when cold.
beforeAll(async () => {
  await k8sTools();
}, 30 * 60_000);

const MINIKUBE = ['values.yaml'];
const CLOUD = ['values.yaml', 'values-cloud.yaml'];

interface KafkaTrigger {
  type: string;
  metadata: Record<string, string>;
}

/**
 * The consumer group a daprd with this app-id joins: the pubsub component's consumerGroup with Dapr's
 * {appID} filled in, or the app-id itself when the component sets none (Dapr's default).
 */
function daprConsumerGroup(objects: K8sObject[], appId: string): string {
  const pubsub = objects.filter(
    (o) => o.kind === 'Component' && (o.spec as { type: string }).type === 'pubsub.kafka',
  );
  expect(pubsub).toHaveLength(1);
  const meta = (pubsub[0]!.spec as { metadata: { name: string; value?: string }[] }).metadata;
  const template = meta.find((m) => m.name === 'consumerGroup')?.value;
  return template === undefined ? appId : template.replaceAll('{appID}', appId);
}

/** For each ScaledObject: the Dapr app-id of the Deployment it scales and what its triggers watch. */
function scalingVsDapr(objects: K8sObject[]) {
  const appIdOf = new Map(
    objects
      .filter((o) => o.kind === 'Deployment')
      .map((o) => {
        const template = (o.spec as { template: { metadata: { annotations?: Record<string, string> } } })
          .template;
        return [o.metadata.name, template.metadata.annotations?.['dapr.io/app-id']] as const;
      }),
  );
  const subscriptions = objects.filter((o) => o.kind === 'Subscription');
  return objects
    .filter((o) => o.kind === 'ScaledObject')
    .map((so) => {
      const spec = so.spec as {
        scaleTargetRef: { name: string };
        triggers: KafkaTrigger[];
        minReplicaCount: number;
      };
      const kafka = spec.triggers.filter((t) => t.type === 'kafka');
      const appId = appIdOf.get(spec.scaleTargetRef.name);
      return {
        name: so.metadata.name,
        appId,
        minReplicaCount: spec.minReplicaCount,
        groups: [...new Set(kafka.map((t) => t.metadata.consumerGroup))],
        watchedTopics: kafka.map((t) => t.metadata.topic).sort(),
        offsetResetPolicies: [...new Set(kafka.map((t) => t.metadata.offsetResetPolicy))],
        subscribedTopics: subscriptions
          .filter((s) => appId !== undefined && s.scopes?.includes(appId))
          .map((s) => (s.spec as { topic: string }).topic)
          .sort(),
      };
    });
}

describe('Helm chart (platform/chart)', () => {
  it('passes helm lint with the Minikube and the cloud values', async () => {
    const { helm } = await k8sTools();
    for (const values of [MINIKUBE, CLOUD]) {
      const { stdout } = await run(helm, [
        'lint',
        chartDir,
        '--strict',
        ...values.flatMap((v) => ['-f', `${chartDir}/${v}`]),
      ]);
      expect(stdout).toContain('0 chart(s) failed');
    }
  });

  it.each([
    ['Minikube', MINIKUBE],
    ['cloud', CLOUD],
  ])('renders with the %s values into objects that all validate against their schemas', async (_, values) => {
    const rendered = await renderChart(values);
    const summary = await kubeconform(rendered);
    expect(summary).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
    const kinds = new Set(parseObjects(rendered).map((o) => o.kind));
    for (const kind of [
      'Deployment',
      'ScaledObject',
      'HTTPScaledObject',
      'Subscription',
      'Component',
      'Resiliency',
      'Configuration',
      'Job',
      'Ingress',
    ])
      expect(kinds, `rendered objects include a ${kind}`).toContain(kind);
  });

  it('cloud values add TLS ingress, SASL for KEDA and Dapr, PDBs, NetworkPolicies and HPAs, and no Secret with data', async () => {
    const objects = parseObjects(await renderChart(CLOUD));
    const kinds = objects.map((o) => o.kind);
    for (const kind of [
      'PodDisruptionBudget',
      'NetworkPolicy',
      'HorizontalPodAutoscaler',
      'TriggerAuthentication',
    ])
      expect(kinds).toContain(kind);
    // The only Secret is Dapr's app API token, generated in the cluster (offline: a placeholder).
    const secrets = objects.filter((o) => o.kind === 'Secret');
    expect(secrets.map((o) => (o.metadata as { name: string }).name)).toEqual(['todo-dapr-app-token']);
    expect((secrets[0] as unknown as { stringData: { token: string } }).stringData.token).toMatch(
      /^generated-by-platform-up:/,
    );
    const ingress = objects.find((o) => o.kind === 'Ingress')!;
    expect((ingress.spec as { tls?: unknown[] }).tls?.length).toBeGreaterThan(0);
    const pubsub = objects.find(
      (o) => o.kind === 'Component' && (o.spec as { type: string }).type === 'pubsub.kafka',
    )!;
    const meta = (pubsub.spec as { metadata: { name: string; value?: string }[] }).metadata;
    expect(meta.find((m) => m.name === 'authType')?.value).toBe('password');
    expect(meta.find((m) => m.name === 'disableTls')?.value).toBe('false');
    for (const so of objects.filter((o) => o.kind === 'ScaledObject'))
      for (const t of (so.spec as { triggers: KafkaTrigger[] }).triggers.filter((t) => t.type === 'kafka'))
        expect(t.metadata).toMatchObject({ sasl: 'scram_sha512', tls: 'enable' });
  });

  it('cloud values sync the Secret through an ExternalSecret that provides every key the pods, KEDA and Dapr read', async () => {
    const objects = parseObjects(await renderChart(CLOUD));
    const external = objects.filter((o) => o.kind === 'ExternalSecret');
    expect(external).toHaveLength(1);
    const spec = external[0]!.spec as {
      secretStoreRef: { kind: string; name: string };
      target: { name: string; creationPolicy: string };
      data: { secretKey: string; remoteRef: { key: string } }[];
    };
    expect(spec.target).toEqual({ name: 'todo-secrets', creationPolicy: 'Orphan' });
    expect(spec.secretStoreRef.name).toBeTruthy();
    // Every reference to the Secret anywhere in the render: env secretKeyRefs, Dapr component
    // secretKeyRefs and KEDA's secretTargetRef. The required ones must all be synced.
    const required = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) {
        for (const item of v) walk(item);
        return;
      }
      if (!v || typeof v !== 'object') return;
      const o = v as Record<string, unknown>;
      const ref = (o.secretKeyRef ?? (typeof o.parameter === 'string' ? o : undefined)) as
        | { name?: string; key?: string; optional?: boolean }
        | undefined;
      if (ref?.name === 'todo-secrets' && ref.key && ref.optional !== true) required.add(ref.key);
      for (const child of Object.values(o)) walk(child);
    };
    walk(objects);
    expect([...required].sort()).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'JWT_SECRET', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_USERNAME']),
    );
    const synced = new Set(spec.data.map((d) => d.secretKey));
    for (const key of required) expect(synced, `the ExternalSecret syncs ${key}`).toContain(key);
    // The Minikube values render the plain Secret instead, and never an ExternalSecret.
    const minikube = parseObjects(await renderChart(MINIKUBE)).map((o) => o.kind);
    expect(minikube).toContain('Secret');
    expect(minikube).not.toContain('ExternalSecret');
  });

  it('every pod meets Pod Security "restricted" (non-root, no escalation, no capabilities, RuntimeDefault)', async () => {
    for (const values of [MINIKUBE, CLOUD]) {
      const objects = parseObjects(await renderChart(values));
      const pods = objects.flatMap((o) => {
        if (o.kind === 'Pod') return [{ name: o.metadata.name, spec: o.spec as unknown as PodSpec }];
        const t = (o.spec as { template?: { spec?: PodSpec } } | undefined)?.template?.spec;
        return t && ['Deployment', 'Job'].includes(o.kind) ? [{ name: o.metadata.name, spec: t }] : [];
      });
      expect(pods.length).toBeGreaterThan(5);
      for (const { name, spec } of pods) {
        expect(spec.securityContext, name).toMatchObject({
          runAsNonRoot: true,
          seccompProfile: { type: 'RuntimeDefault' },
        });
        for (const c of spec.containers)
          expect(c.securityContext, `${name}/${c.name}`).toMatchObject({
            allowPrivilegeEscalation: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ['ALL'] },
          });
      }
    }
  });

  it('renders scale-to-zero HTTP functions as Knative Services when knative.enabled, none of them with a daprd', async () => {
    const objects = parseObjects(await renderChart(MINIKUBE, ['knative.enabled=true']));
    const knative = objects.filter((o) => o.apiVersion === 'serving.knative.dev/v1');
    const httpZero = deriveDeployment(catalog).functions.filter((f) => f.scaler === 'http-scale-to-zero');
    expect(knative.map((o) => o.metadata.name).sort()).toEqual(httpZero.map((f) => f.name).sort());
    expect(objects.filter((o) => o.kind === 'HTTPScaledObject')).toEqual([]);
    for (const k of knative) {
      const ann = (k.spec as { template: { metadata: { annotations: Record<string, string> } } }).template
        .metadata.annotations;
      expect(
        Object.keys(ann).filter((a) => a.startsWith('dapr.io/')),
        k.metadata.name,
      ).toEqual([]);
    }
    // Everything else still validates (Knative's own schema is not among the local ones).
    const rest = objects.filter((o) => o.apiVersion !== 'serving.knative.dev/v1');
    expect(await kubeconform(rest.map((o) => JSON.stringify(o)).join('\n---\n'))).toMatch(
      /Invalid: 0, Errors: 0/,
    );
  });
});

interface PodSpec {
  securityContext?: Record<string, unknown>;
  containers: { name: string; securityContext?: Record<string, unknown> }[];
}

describe('KEDA ↔ Dapr agreement', () => {
  it.each([
    ['Minikube', MINIKUBE, [], (appId: string) => appId],
    ['cloud', CLOUD, [], (appId: string) => appId],
    ['cloud, staging', CLOUD, ['environment=staging'], (appId: string) => `staging.${appId}`],
  ])(
    '(%s) each event function’s ScaledObject watches the consumer group its daprd joins, and exactly the topics its Subscriptions read',
    async (_, values, set, expectedGroup) => {
      const objects = parseObjects(await renderChart(values, set));
      const rows = scalingVsDapr(objects);
      const eventFunctions = catalog.filter((f) => f.subscriptions.length > 0);
      expect(rows.map((r) => r.name).sort()).toEqual(eventFunctions.map((f) => f.name).sort());
      for (const r of rows) {
        expect(r.appId, `${r.name} has a Dapr sidecar`).toBe(r.name);
        expect(r.groups, `${r.name}: KEDA's consumerGroup = Dapr's`).toEqual([
          daprConsumerGroup(objects, r.appId!),
        ]);
        expect(r.groups).toEqual([expectedGroup(r.appId!)]);
        expect(r.watchedTopics, `${r.name}: KEDA topics = Subscription topics`).toEqual(r.subscribedTopics);
        expect(r.watchedTopics.length).toBeGreaterThan(0);
        expect(r.offsetResetPolicies).toEqual(['earliest']);
      }
      const groups = rows.flatMap((r) => r.groups);
      expect(new Set(groups).size, 'no two functions share a consumer group').toBe(groups.length);
      // The shared pubsub component never pins one group for all: at most a per-app-id template.
      const pubsub = objects.filter(
        (o) => o.kind === 'Component' && (o.spec as { type: string }).type === 'pubsub.kafka',
      );
      const meta = (pubsub[0]!.spec as { metadata: { name: string; value?: string }[] }).metadata;
      const group = meta.find((m) => m.name === 'consumerGroup');
      if (group) expect(group.value).toContain('{appID}');
      expect(meta.find((m) => m.name === 'initialOffset')?.value).toBe('oldest');
    },
  );

  it('gives staging and production their own consumer groups and their own secret-store keys', async () => {
    const render = async (environment: string) => {
      const objects = parseObjects(await renderChart(CLOUD, [`environment=${environment}`]));
      const external = objects.find((o) => o.kind === 'ExternalSecret')!;
      return {
        groups: scalingVsDapr(objects).flatMap((r) => r.groups),
        keys: (external.spec as { data: { remoteRef: { key: string } }[] }).data.map((d) => d.remoteRef.key),
      };
    };
    const staging = await render('staging');
    const production = await render('production');
    expect(staging.keys).toContain('todo/staging/jwt-secret');
    expect(production.keys).toContain('todo/production/jwt-secret');
    for (const [a, b] of [
      [staging, production],
      [production, staging],
    ] as const) {
      for (const g of a.groups) expect(b.groups, g).not.toContain(g);
      for (const k of a.keys) expect(b.keys, k).not.toContain(k);
    }
    await expect(renderChart(CLOUD, ['environment=Staging Env'])).rejects.toThrow(/DNS label/);
  });

  it('scales event functions from zero (the clock stays at 1), HTTP functions through the add-on, never past the partitions', async () => {
    const objects = parseObjects(await renderChart(MINIKUBE));
    const d = deriveDeployment(catalog);
    for (const fn of d.functions) {
      const so = objects.find((o) => o.kind === 'ScaledObject' && o.metadata.name === fn.name);
      const hso = objects.find((o) => o.kind === 'HTTPScaledObject' && o.metadata.name === fn.name);
      if (fn.scaler === 'events') {
        expect(so, fn.name).toBeDefined();
        const spec = so!.spec as { minReplicaCount: number; maxReplicaCount: number };
        expect(spec.minReplicaCount).toBe(fn.kind === 'clock' ? 1 : 0);
        expect(spec.maxReplicaCount).toBeLessThanOrEqual(d.partitions);
      }
      if (fn.scaler === 'http-scale-to-zero') {
        expect(hso, fn.name).toBeDefined();
        expect((hso!.spec as { replicas: { min: number } }).replicas.min).toBe(0);
      }
      if (fn.kind === 'clock')
        expect(fn.minReplicas, 'the clock owns Dapr Jobs: never at zero').toBeGreaterThanOrEqual(1);
    }
  });

  it('gives every daprd and its app the same generated app API token, and turns NetworkPolicies on by default', async () => {
    for (const values of [MINIKUBE, CLOUD, [...MINIKUBE, 'values-local.yaml']]) {
      const objects = parseObjects(await renderChart(values));
      const secret = objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'todo-dapr-app-token') as
        | { stringData: { token: string } }
        | undefined;
      expect(secret?.stringData.token, values.join()).toMatch(/^generated-by-platform-up:/);
      const daprPods = objects
        .filter((o) => o.kind === 'Deployment')
        .map(
          (o) =>
            (
              o.spec as {
                template: {
                  metadata: { annotations?: Record<string, string> };
                  spec: { containers: { env: { name: string; valueFrom?: unknown }[] }[] };
                };
              }
            ).template,
        )
        .filter((t) => t.metadata.annotations?.['dapr.io/enabled'] === 'true');
      expect(daprPods.length).toBeGreaterThan(0);
      for (const t of daprPods) {
        expect(t.metadata.annotations?.['dapr.io/app-token-secret']).toBe('todo-dapr-app-token');
        expect(t.spec.containers[0]!.env.find((e) => e.name === 'APP_API_TOKEN')?.valueFrom).toEqual({
          secretKeyRef: { name: 'todo-dapr-app-token', key: 'token' },
        });
      }
      expect(objects.filter((o) => o.kind === 'NetworkPolicy').length, values.join()).toBeGreaterThan(0);
      // No development JWT secret anywhere: generated at install.
      const app = objects.find((o) => o.kind === 'Secret' && o.metadata.name === 'todo-secrets') as
        | { stringData: Record<string, string> }
        | undefined;
      if (app) expect(app.stringData.JWT_SECRET).toMatch(/^generated-by-platform-up:/);
    }
  });

  it('puts a Dapr sidecar exactly on the functions that use Dapr, with the service-account token daprd needs', async () => {
    const objects = parseObjects(await renderChart(MINIKUBE));
    const d = deriveDeployment(catalog);
    const deployments = objects.filter(
      (o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'function',
    );
    expect(deployments.map((o) => o.metadata.name).sort()).toEqual(catalog.map((f) => f.name).sort());
    const accounts = objects.filter((o) => o.kind === 'ServiceAccount').map((o) => o.metadata.name);
    for (const dep of deployments) {
      const fn = d.functions.find((f) => f.name === dep.metadata.name)!;
      const tpl = (
        dep.spec as {
          template: {
            metadata: { annotations?: Record<string, string> };
            spec: {
              serviceAccountName?: string;
              automountServiceAccountToken: boolean;
              containers: { env: { name: string; value?: string }[] }[];
            };
          };
        }
      ).template;
      const a = tpl.metadata.annotations ?? {};
      const env = tpl.spec.containers[0]!.env.map((e) => e.name);
      if (fn.dapr) {
        expect(a['dapr.io/enabled'], fn.name).toBe('true');
        expect(a['dapr.io/app-id']).toBe(fn.name);
        expect(a['dapr.io/app-port']).toBe(tpl.spec.containers[0]!.env.find((e) => e.name === 'PORT')?.value);
        expect(a['dapr.io/sidecar-cpu-request']).toBe('10m');
        // daprd exits at start without the token (dapr/docs#5014): its own ServiceAccount, mounted.
        expect(tpl.spec.automountServiceAccountToken, fn.name).toBe(true);
        expect(accounts).toContain(tpl.spec.serviceAccountName);
        expect(env).toContain('DAPR_HTTP_PORT');
      } else {
        expect(
          Object.keys(a).filter((k) => k.startsWith('dapr.io/')),
          fn.name,
        ).toEqual([]);
        expect(tpl.spec.automountServiceAccountToken, fn.name).toBe(false);
        expect(tpl.spec.serviceAccountName, fn.name).toBeUndefined();
        expect(env, fn.name).not.toContain('DAPR_HTTP_PORT');
      }
    }
    const account = objects.find((o) => o.kind === 'ServiceAccount')! as K8sObject & {
      automountServiceAccountToken?: boolean;
    };
    expect(account.automountServiceAccountToken, 'only the pods that ask mount its token').toBe(false);
    expect(objects.filter((o) => o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding')).toEqual([]);
  });

  it.each([
    ['Minikube', MINIKUBE],
    ['cloud', CLOUD],
  ])(
    '(%s) scopes every Dapr component and the Resiliency to exactly the app-ids that run daprd',
    async (_, values) => {
      const objects = parseObjects(await renderChart(values));
      const daprAppIds = deriveDeployment(catalog).daprAppIds;
      const scoped = objects.filter((o) => o.kind === 'Component' || o.kind === 'Resiliency');
      expect(scoped.length).toBeGreaterThanOrEqual(3);
      for (const o of scoped)
        expect(o.scopes?.sort(), `${o.kind}/${o.metadata.name}`).toEqual([...daprAppIds].sort());
      const annotated = objects
        .filter((o) => o.kind === 'Deployment')
        .map((o) => (o.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template)
        .map((t) => t.metadata.annotations?.['dapr.io/app-id'])
        .filter((id): id is string => id !== undefined);
      expect(annotated.sort()).toEqual([...daprAppIds].sort());
    },
  );
});

describe('Minikube path (platform/k8s, kustomize)', () => {
  it('renders with kubectl kustomize in the seed order and validates against the schemas', async () => {
    const { stdout } = await run('kubectl', ['kustomize', `${repoRoot}platform/k8s`]);
    expect(await kubeconform(stdout)).toMatch(/Invalid: 0, Errors: 0, Skipped: 0/);
    const objects = parseObjects(stdout);
    const first = (pred: (o: K8sObject) => boolean) => objects.findIndex(pred);
    const order = [
      first((o) => o.kind === 'Namespace'),
      first((o) => o.metadata.name === 'kafka'),
      first((o) => o.metadata.name === 'postgres'),
      first((o) => o.kind === 'Component'),
      first((o) => o.kind === 'Deployment' && o.metadata.name === 'gateway'),
      first((o) => o.metadata.name === 'web'),
    ];
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    for (const o of objects)
      if (o.kind !== 'Namespace')
        expect((o.metadata as { namespace?: string }).namespace, `${o.kind}/${o.metadata.name}`).toBe(
          'todo-app',
        );
  });

  it('fits minikube start --cpus 4 --memory 8g: the app, the pinned charts as installed and Minikube’s own pods, and the README says so', async () => {
    const { stdout } = await run('kubectl', ['kustomize', `${repoRoot}platform/k8s`]);
    const app = appRequests(parseObjects(stdout));
    const charts = chartRequests().reduce(
      (sum, w) => ({
        cpu: sum.cpu + w.replicas * milli(w.cpu),
        memory: sum.memory + w.replicas * mebi(w.memory),
      }),
      { cpu: 0, memory: 0 },
    );
    const system = MINIKUBE_SYSTEM.reduce(
      (sum, p) => ({ cpu: sum.cpu + milli(p.cpu), memory: sum.memory + mebi(p.memory) }),
      { cpu: 0, memory: 0 },
    );
    const total = {
      cpu: app.cpu + charts.cpu + system.cpu,
      memory: app.memory + charts.memory + system.memory,
    };
    // Requests beyond the node's allocatable leave pods Pending: keep a tenth of the VM free.
    expect(total.cpu).toBeLessThanOrEqual(3600);
    expect(total.memory).toBeLessThanOrEqual(7372);
    const readme = readFileSync(join(repoRoot, 'platform/README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('### Fits in 4 CPUs / 8 GB'),
      readme.indexOf('## The cloud path'),
    );
    const figure = (r: { cpu: number; memory: number }) =>
      `${(r.cpu / 1000).toFixed(2)} CPU / ${(r.memory / 1024).toFixed(2)} GiB`;
    for (const [what, r] of [
      ['the app', app],
      ['the charts', charts],
      ['Minikube', system],
      ['in all', total],
    ] as const)
      expect(section, `README: ${what} requests ${figure(r)}`).toContain(figure(r));
  });
});

/**
 * What Minikube runs itself (kubeadm's static pods, CoreDNS) and `minikube addons enable ingress`, as
 * `kubectl describe node` lists their requests; kube-proxy and the storage provisioner request nothing.
 */
const MINIKUBE_SYSTEM = [
  { name: 'kube-apiserver', cpu: '250m', memory: '0Mi' },
  { name: 'kube-controller-manager', cpu: '200m', memory: '0Mi' },
  { name: 'kube-scheduler', cpu: '100m', memory: '0Mi' },
  { name: 'etcd', cpu: '100m', memory: '100Mi' },
  { name: 'coredns', cpu: '100m', memory: '70Mi' },
  { name: 'ingress-nginx-controller', cpu: '100m', memory: '90Mi' },
];

/** Requests of everything platform/k8s runs, daprd sidecars included, with every function awake (min 1). */
function appRequests(objects: K8sObject[]): { cpu: number; memory: number } {
  let cpu = 0;
  let memory = 0;
  for (const o of objects) {
    if (!['Deployment', 'StatefulSet'].includes(o.kind)) continue;
    const spec = o.spec as {
      replicas?: number;
      template: {
        metadata: { annotations?: Record<string, string> };
        spec: { containers: { resources: { requests: { cpu: string; memory: string } } }[] };
      };
    };
    const replicas = Math.max(1, spec.replicas ?? 1);
    for (const c of spec.template.spec.containers) {
      cpu += replicas * milli(c.resources.requests.cpu);
      memory += replicas * mebi(c.resources.requests.memory);
    }
    const a = spec.template.metadata.annotations ?? {};
    if (a['dapr.io/enabled'] === 'true') {
      cpu += replicas * milli(a['dapr.io/sidecar-cpu-request']!);
      memory += replicas * mebi(a['dapr.io/sidecar-memory-request']!);
    }
  }
  return { cpu, memory };
}

function milli(q: string): number {
  return q.endsWith('m') ? Number(q.slice(0, -1)) : Number(q) * 1000;
}
function mebi(q: string): number {
  if (q.endsWith('Gi')) return Number(q.slice(0, -2)) * 1024;
  if (q.endsWith('Mi')) return Number(q.slice(0, -2));
  throw new Error(`unexpected quantity ${q}`);
}

describe('addresses seen from other namespaces', () => {
  it('qualifies a short Kafka Service name for KEDA (its operator runs in the keda namespace), keeps FQDNs', async () => {
    const objects = parseObjects(
      await renderChart(MINIKUBE, ['kafka.brokers=kafka:9092\\,broker.example.com:9093']),
    );
    const servers = objects
      .filter((o) => o.kind === 'ScaledObject')
      .flatMap((o) =>
        (o.spec as { triggers: KafkaTrigger[] }).triggers.map((t) => t.metadata.bootstrapServers),
      );
    expect(new Set(servers)).toEqual(new Set(['kafka.todo-app.svc:9092,broker.example.com:9093']));
  });
});
