// Dapr on this node: a mutating admission webhook that adds the daprd container to pods annotated
// `dapr.io/enabled: "true"`, from the same annotations Dapr's sidecar injector reads, and the files a
// standalone daprd loads — the namespace's Components, Subscriptions, Resiliency and the Configuration,
// filtered by `scopes` exactly as Dapr's operator serves them to a sidecar. Not done here: Sentry (mTLS
// between sidecars) and the operator's live component updates; daprd runs with --mode standalone.

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer as createHttpsServer, type Server } from 'node:https';
import { join } from 'node:path';
import type { CustomObjectsApi, V1Container, V1Pod } from '@kubernetes/client-node';
import { stringify } from 'yaml';

/** Paths under this prefix in daprd's arguments are the pod's own Dapr directory on this node. */
export const DAPR_POD_DIR = '/var/run/dapr';

export interface SidecarSettings {
  image: string;
  /** host:port of the Dapr Scheduler (the Jobs API). */
  schedulerAddress: string;
}

const annotation = (pod: V1Pod, key: string) => pod.metadata?.annotations?.[`dapr.io/${key}`];

/** The daprd container the injector would add, or undefined when the pod does not ask for Dapr. */
export function daprSidecarFor(pod: V1Pod, settings: SidecarSettings): V1Container | undefined {
  if (annotation(pod, 'enabled') !== 'true') return undefined;
  const appId = annotation(pod, 'app-id') ?? pod.metadata?.name ?? pod.metadata?.generateName ?? 'app';
  const args = [
    '--mode',
    'standalone',
    '--app-id',
    appId,
    '--dapr-http-port',
    '3500',
    '--dapr-grpc-port',
    '50001',
    '--dapr-internal-grpc-port',
    '50002',
    '--dapr-listen-addresses',
    '127.0.0.1',
    // Health and metadata on every address: the node probes it at the pod IP, as the kubelet does.
    '--dapr-public-port',
    '3501',
    '--app-protocol',
    annotation(pod, 'app-protocol') ?? 'http',
    '--log-level',
    annotation(pod, 'log-level') ?? 'info',
    `--enable-metrics=${annotation(pod, 'enable-metrics') ?? 'true'}`,
    '--metrics-port',
    annotation(pod, 'metrics-port') ?? '9090',
    '--scheduler-host-address',
    settings.schedulerAddress,
    '--resources-path',
    `${DAPR_POD_DIR}/resources`,
    '--config',
    `${DAPR_POD_DIR}/config.yaml`,
  ];
  const appPort = annotation(pod, 'app-port');
  if (appPort) args.push('--app-port', appPort);
  const grace = annotation(pod, 'graceful-shutdown-seconds');
  if (grace) args.push('--dapr-graceful-shutdown-seconds', grace);
  // dapr.io/app-token-secret: the injector gives daprd APP_API_TOKEN from that Secret's key `token`,
  // and daprd sends it as dapr-api-token on every call into the app.
  const appTokenSecret = annotation(pod, 'app-token-secret');
  const env = appTokenSecret
    ? [{ name: 'APP_API_TOKEN', valueFrom: { secretKeyRef: { name: appTokenSecret, key: 'token' } } }]
    : [];
  const resources = (kind: 'request' | 'limit') => {
    const cpu = annotation(pod, `sidecar-cpu-${kind}`);
    const memory = annotation(pod, `sidecar-memory-${kind}`);
    return { ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) };
  };
  return {
    name: 'daprd',
    image: settings.image,
    command: ['/daprd'],
    args,
    ...(env.length ? { env } : {}),
    ports: [
      { name: 'dapr-http', containerPort: 3500 },
      { name: 'dapr-grpc', containerPort: 50001 },
      { name: 'dapr-public', containerPort: 3501 },
    ],
    readinessProbe: {
      httpGet: { path: '/v1.0/healthz', port: 3501 },
      periodSeconds: 1,
      failureThreshold: 3,
    },
    resources: { requests: resources('request'), limits: resources('limit') },
  };
}

/** The JSONPatch an AdmissionReview response carries: append daprd to the pod's containers. */
export function injectionPatch(pod: V1Pod, settings: SidecarSettings): object[] {
  const sidecar = daprSidecarFor(pod, settings);
  if (!sidecar || pod.spec?.containers.some((c) => c.name === 'daprd')) return [];
  return [{ op: 'add', path: '/spec/containers/-', value: sidecar }];
}

/** HTTPS /mutate for the apiserver's MutatingWebhookConfiguration (registered by URL). */
export function startInjector(opts: {
  host: string;
  port: number;
  cert: string;
  key: string;
  settings: SidecarSettings;
  log: (line: string) => void;
}): Server {
  const server = createHttpsServer(
    { cert: readFileSync(opts.cert), key: readFileSync(opts.key) },
    (req, res) => {
      let body = '';
      req.on('data', (d) => {
        body += d;
      });
      req.on('end', () => {
        let uid = '';
        let patch: object[] = [];
        try {
          const review = JSON.parse(body) as { request: { uid: string; object: V1Pod } };
          uid = review.request.uid;
          patch = injectionPatch(review.request.object, opts.settings);
          if (patch.length)
            opts.log(`injected daprd into a pod of ${review.request.object.metadata?.generateName ?? ''}`);
        } catch (e) {
          opts.log(`injector: bad AdmissionReview: ${(e as Error).message}`);
        }
        const response: Record<string, unknown> = { uid, allowed: true };
        if (patch.length) {
          response.patchType = 'JSONPatch';
          response.patch = Buffer.from(JSON.stringify(patch)).toString('base64');
        }
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response }));
      });
    },
  );
  server.listen(opts.port, opts.host);
  return server;
}

export function webhookConfiguration(url: string, caBundle: string) {
  return {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'MutatingWebhookConfiguration',
    metadata: { name: 'todo-fn-node-dapr-injector' },
    webhooks: [
      {
        name: 'sidecar-injector.dapr.io',
        clientConfig: { url, caBundle },
        rules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
        namespaceSelector: {
          matchExpressions: [
            { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kube-system'] },
          ],
        },
        failurePolicy: 'Fail',
        sideEffects: 'None',
        admissionReviewVersions: ['v1'],
        timeoutSeconds: 5,
      },
    ],
  };
}

type DaprObject = {
  kind?: string;
  metadata?: { name?: string };
  spec?: unknown;
  scopes?: string[];
  auth?: unknown;
};

const DAPR_KINDS = [
  { version: 'v1alpha1', plural: 'components' },
  { version: 'v2alpha1', plural: 'subscriptions' },
  { version: 'v1alpha1', plural: 'resiliencies' },
] as const;

/**
 * Writes what this app-id's daprd loads into <podDir>/resources and <podDir>/config.yaml: what Dapr's
 * operator would stream to a sidecar in Kubernetes mode.
 */
export async function writeDaprFiles(
  custom: CustomObjectsApi,
  namespace: string,
  appId: string,
  configName: string | undefined,
  podDir: string,
): Promise<void> {
  const dir = join(podDir, 'resources');
  mkdirSync(dir, { recursive: true });
  for (const { version, plural } of DAPR_KINDS) {
    const list = (await custom.listNamespacedCustomObject({
      group: 'dapr.io',
      version,
      namespace,
      plural,
    })) as {
      items: DaprObject[];
    };
    for (const item of list.items) {
      if (item.scopes?.length && !item.scopes.includes(appId)) continue;
      const clean = {
        apiVersion: `dapr.io/${version}`,
        kind: item.kind,
        metadata: { name: item.metadata?.name, namespace },
        spec: item.spec,
        ...(item.auth ? { auth: item.auth } : {}),
        ...(item.scopes ? { scopes: item.scopes } : {}),
      };
      writeFileSync(join(dir, `${plural}-${item.metadata?.name}.yaml`), stringify(clean));
    }
  }
  let config: DaprObject = { kind: 'Configuration', metadata: { name: 'default' }, spec: {} };
  if (configName)
    config = (await custom.getNamespacedCustomObject({
      group: 'dapr.io',
      version: 'v1alpha1',
      namespace,
      plural: 'configurations',
      name: configName,
    })) as DaprObject;
  writeFileSync(
    join(podDir, 'config.yaml'),
    stringify({
      apiVersion: 'dapr.io/v1alpha1',
      kind: 'Configuration',
      metadata: { name: config.metadata?.name },
      spec: config.spec,
    }),
  );
}
