// The chart and the Minikube layers: lint, render, validate against the real schemas (core kinds, KEDA,
// KEDA HTTP add-on, Dapr and External Secrets CRDs, offline), and check that scaling and Dapr agree with each other.
import { beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../functions/catalog.ts';
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

  it('cloud values add TLS ingress, SASL for KEDA and Dapr, PDBs, NetworkPolicies and HPAs, and no Secret', async () => {
    const objects = parseObjects(await renderChart(CLOUD));
    const kinds = objects.map((o) => o.kind);
    for (const kind of [
      'PodDisruptionBudget',
      'NetworkPolicy',
      'HorizontalPodAutoscaler',
      'TriggerAuthentication',
    ])
      expect(kinds).toContain(kind);
    expect(kinds).not.toContain('Secret');
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

  it('renders scale-to-zero HTTP functions as Knative Services when knative.enabled, with daprd metrics off 9090', async () => {
    const objects = parseObjects(await renderChart(MINIKUBE, ['knative.enabled=true']));
    const knative = objects.filter((o) => o.apiVersion === 'serving.knative.dev/v1');
    const httpZero = deriveDeployment(catalog).functions.filter((f) => f.scaler === 'http-scale-to-zero');
    expect(knative.map((o) => o.metadata.name).sort()).toEqual(httpZero.map((f) => f.name).sort());
    expect(objects.filter((o) => o.kind === 'HTTPScaledObject')).toEqual([]);
    for (const k of knative) {
      const ann = (k.spec as { template: { metadata: { annotations: Record<string, string> } } }).template
        .metadata.annotations;
      expect(ann['dapr.io/metrics-port']).not.toBe('9090');
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
    ['Minikube', MINIKUBE],
    ['cloud', CLOUD],
  ])(
    '(%s) each event function’s ScaledObject watches its Dapr app-id as consumer group, and exactly the topics its Subscriptions read',
    async (_, values) => {
      const objects = parseObjects(await renderChart(values));
      const rows = scalingVsDapr(objects);
      const eventFunctions = catalog.filter((f) => f.subscriptions.length > 0);
      expect(rows.map((r) => r.name).sort()).toEqual(eventFunctions.map((f) => f.name).sort());
      for (const r of rows) {
        expect(r.appId, `${r.name} has a Dapr sidecar`).toBe(r.name);
        expect(r.groups, `${r.name}: consumerGroup = app-id`).toEqual([r.appId]);
        expect(r.watchedTopics, `${r.name}: KEDA topics = Subscription topics`).toEqual(r.subscribedTopics);
        expect(r.watchedTopics.length).toBeGreaterThan(0);
        expect(r.offsetResetPolicies).toEqual(['earliest']);
      }
      const groups = rows.flatMap((r) => r.groups);
      expect(new Set(groups).size, 'no two functions share a consumer group').toBe(groups.length);
      // The shared pubsub component must not pin a group, or Dapr would not use the app-id.
      const pubsub = objects.filter(
        (o) => o.kind === 'Component' && (o.spec as { type: string }).type === 'pubsub.kafka',
      );
      expect(pubsub).toHaveLength(1);
      const meta = (pubsub[0]!.spec as { metadata: { name: string; value?: string }[] }).metadata;
      expect(meta.map((m) => m.name)).not.toContain('consumerGroup');
      expect(meta.find((m) => m.name === 'initialOffset')?.value).toBe('oldest');
    },
  );

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

  it('puts a Dapr sidecar on every function: app-id = name, app-port = PORT, low requests, metrics off 9090', async () => {
    const objects = parseObjects(await renderChart(MINIKUBE));
    const deployments = objects.filter(
      (o) => o.kind === 'Deployment' && o.metadata.labels?.['app.kubernetes.io/component'] === 'function',
    );
    expect(deployments.map((o) => o.metadata.name).sort()).toEqual(catalog.map((f) => f.name).sort());
    for (const dep of deployments) {
      const tpl = (
        dep.spec as {
          template: {
            metadata: { annotations: Record<string, string> };
            spec: { containers: { env: { name: string; value?: string }[] }[] };
          };
        }
      ).template;
      const a = tpl.metadata.annotations;
      expect(a['dapr.io/enabled']).toBe('true');
      expect(a['dapr.io/app-id']).toBe(dep.metadata.name);
      expect(a['dapr.io/app-port']).toBe(tpl.spec.containers[0]!.env.find((e) => e.name === 'PORT')?.value);
      expect(a['dapr.io/metrics-port']).not.toBe('9090');
      expect(a['dapr.io/sidecar-cpu-request']).toBe('10m');
    }
  });
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

  it('fits minikube start --cpus 4 --memory 8g: requests of everything it runs, sidecars included, leave room for the control planes', async () => {
    const { stdout } = await run('kubectl', ['kustomize', `${repoRoot}platform/k8s`]);
    const objects = parseObjects(stdout);
    let cpuMilli = 0;
    let memMi = 0;
    for (const o of objects) {
      if (!['Deployment', 'StatefulSet'].includes(o.kind)) continue;
      const spec = o.spec as {
        replicas?: number;
        template: {
          metadata: { annotations?: Record<string, string> };
          spec: { containers: { resources: { requests: { cpu: string; memory: string } } }[] };
        };
      };
      // Worst case: every function awake at once (min 1), with its sidecar.
      const replicas = Math.max(1, spec.replicas ?? 1);
      for (const c of spec.template.spec.containers) {
        cpuMilli += replicas * milli(c.resources.requests.cpu);
        memMi += replicas * mebi(c.resources.requests.memory);
      }
      const a = spec.template.metadata.annotations ?? {};
      if (a['dapr.io/enabled'] === 'true') {
        cpuMilli += replicas * milli(a['dapr.io/sidecar-cpu-request']!);
        memMi += replicas * mebi(a['dapr.io/sidecar-memory-request']!);
      }
    }
    // Kubernetes itself, ingress-nginx, Dapr, KEDA and the HTTP add-on request about 1.3 CPU and 1.5 GiB
    // on Minikube: the app gets at most 2.6 CPU and 6 GiB of the 4 CPU / 8 GiB VM.
    expect(cpuMilli).toBeLessThan(2600);
    expect(memMi).toBeLessThan(6144);
  });
});

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
