// The node agent: what a kubelet, kube-proxy and Dapr's sidecar injector do for one node, on a machine
// with no container runtime. It registers a Node and renews its Lease, runs the pods the scheduler binds
// to it (pods.ts), proxies ClusterIP Services (services.ts) and injects daprd (dapr-sidecar.ts).

import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:https';
import { cpus, totalmem } from 'node:os';
import {
  AdmissionregistrationV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  DiscoveryV1Api,
  type KubeConfig,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type V1EndpointSlice,
  type V1Pod,
  type V1Service,
} from '@kubernetes/client-node';
import { type SidecarSettings, startInjector, webhookConfiguration } from './dapr-sidecar.ts';
import type { ImageMap } from './images.ts';
import { PodNetworks } from './network.ts';
import { PodRuntime } from './pods.ts';
import { hostsFor, ServiceProxy } from './services.ts';

export interface NodeAgentOptions {
  kubeconfig: KubeConfig;
  nodeName: string;
  bridge: string;
  hostIp: string;
  podCidr: string;
  /** 127.0.0.1:<port> of the apiserver (for default/kubernetes) and the CA that signed it. */
  apiserver: { host: string; port: number; caCert: string };
  images: ImageMap;
  /** Where the injector listens (https on hostIp) and with which certificate (signed by the cluster CA). */
  injector: { port: number; cert: string; key: string; settings: SidecarSettings };
  dir: string;
  log?: (line: string) => void;
}

export interface NodeAgent {
  runtime: PodRuntime;
  stop(): Promise<void>;
}

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

export async function startNodeAgent(o: NodeAgentOptions): Promise<NodeAgent> {
  const log = o.log ?? ((line: string) => console.log(`[node-agent] ${line}`));
  const kc = o.kubeconfig;
  const core = kc.makeApiClient(CoreV1Api);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const coordination = kc.makeApiClient(CoordinationV1Api);
  const admission = kc.makeApiClient(AdmissionregistrationV1Api);
  mkdirSync(o.dir, { recursive: true });

  // 1. The injector first, so no pod is created without its sidecar.
  const injector: Server = startInjector({ host: o.hostIp, ...o.injector, log });
  const hook = webhookConfiguration(
    `https://${o.hostIp}:${o.injector.port}/mutate`,
    readFileSync(o.apiserver.caCert).toString('base64'),
  );
  await admission.deleteMutatingWebhookConfiguration({ name: hook.metadata.name }).catch(() => undefined);
  await admission.createMutatingWebhookConfiguration({ body: hook });

  // 2. The Node, Ready, with this machine's real capacity, and its Lease.
  await registerNode(core, o);
  const heartbeat = setInterval(() => void renew(core, coordination, o, log), 10_000);
  await renew(core, coordination, o, log);

  // 3. Services → proxies and hosts files; pods → processes.
  const kubernetesService = await core.readNamespacedService({ name: 'kubernetes', namespace: 'default' });
  const proxy = new ServiceProxy(o.bridge, { ip: o.apiserver.host, port: o.apiserver.port }, log);
  const services = makeInformer<V1Service>(kc, '/api/v1/services', () => core.listServiceForAllNamespaces());
  const slices = makeInformer<V1EndpointSlice>(kc, '/apis/discovery.k8s.io/v1/endpointslices', () =>
    discovery.listEndpointSliceForAllNamespaces(),
  );
  const runtime = new PodRuntime({
    core,
    custom,
    nets: new PodNetworks(o.bridge, o.podCidr, o.hostIp),
    images: o.images,
    nodeName: o.nodeName,
    hostIp: o.hostIp,
    dir: o.dir,
    apiserverServiceIp: kubernetesService.spec?.clusterIP ?? '',
    caCert: o.apiserver.caCert,
    hostsFor: (namespace) => hostsFor(namespace, services.list()),
    log,
  });
  const refresh = () => {
    proxy.update(services.list(), slices.list());
    runtime.refreshHosts();
  };
  for (const event of ['add', 'update', 'delete'] as const) {
    services.on(event, refresh);
    slices.on(event, refresh);
  }
  services.on('error', () => setTimeout(() => void services.start(), 1000));
  slices.on('error', () => setTimeout(() => void slices.start(), 1000));
  await services.start();
  await slices.start();
  refresh();

  const fieldSelector = `spec.nodeName=${o.nodeName}`;
  const pods = makeInformer<V1Pod>(
    kc,
    `/api/v1/pods?fieldSelector=${encodeURIComponent(fieldSelector)}`,
    () => core.listPodForAllNamespaces({ fieldSelector }),
  );
  pods.on('add', (p) => runtime.sync(p));
  pods.on('update', (p) => runtime.sync(p));
  pods.on('delete', (p) => runtime.forget(p));
  pods.on('error', () => setTimeout(() => void pods.start(), 1000));
  await pods.start();
  log(`node ${o.nodeName} ready: pods on ${o.podCidr} via ${o.bridge}`);

  return {
    runtime,
    async stop() {
      clearInterval(heartbeat);
      await pods.stop();
      await services.stop();
      await slices.stop();
      await runtime.close();
      proxy.close();
      injector.close();
      await admission.deleteMutatingWebhookConfiguration({ name: hook.metadata.name }).catch(() => undefined);
    },
  };
}

async function registerNode(core: CoreV1Api, o: NodeAgentOptions): Promise<void> {
  await core.deleteNode({ name: o.nodeName }).catch(() => undefined);
  await core.createNode({
    body: {
      metadata: {
        name: o.nodeName,
        labels: {
          'kubernetes.io/hostname': o.nodeName,
          'kubernetes.io/os': 'linux',
          'kubernetes.io/arch': 'amd64',
          'node.kubernetes.io/instance-type': 'todo-fn-process-node',
        },
      },
      spec: { podCIDR: o.podCidr, podCIDRs: [o.podCidr] },
    },
  });
}

function nodeStatus(o: NodeAgentOptions) {
  const t = new Date().toISOString();
  const capacity = {
    cpu: String(cpus().length),
    memory: `${Math.floor(totalmem() / 1024 / 1024)}Mi`,
    pods: '110',
    'ephemeral-storage': '50Gi',
  };
  const condition = (type: string, status: string, reason: string) => ({
    type,
    status,
    reason,
    lastHeartbeatTime: t,
    lastTransitionTime: t,
  });
  return {
    capacity,
    allocatable: capacity,
    addresses: [
      { type: 'InternalIP', address: o.hostIp },
      { type: 'Hostname', address: o.nodeName },
    ],
    conditions: [
      condition('Ready', 'True', 'KubeletReady'),
      condition('MemoryPressure', 'False', 'KubeletHasSufficientMemory'),
      condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
      condition('PIDPressure', 'False', 'KubeletHasSufficientPID'),
    ],
    nodeInfo: {
      architecture: 'amd64',
      operatingSystem: 'linux',
      osImage: 'todo-fn process node',
      kernelVersion: '',
      kubeletVersion: 'v1.37.2',
      kubeProxyVersion: '',
      containerRuntimeVersion: 'process://node-agent',
      machineID: '',
      systemUUID: '',
      bootID: '',
    },
  };
}

async function renew(
  core: CoreV1Api,
  coordination: CoordinationV1Api,
  o: NodeAgentOptions,
  log: (l: string) => void,
) {
  try {
    await core.patchNodeStatus({ name: o.nodeName, body: { status: nodeStatus(o) } }, mergePatch);
    const spec = {
      holderIdentity: o.nodeName,
      leaseDurationSeconds: 40,
      // A MicroTime: the apiserver insists on six fractional digits.
      renewTime: new Date().toISOString().replace(/\.(\d{3})Z$/, '.$1000Z') as unknown as Date,
    };
    try {
      await coordination.patchNamespacedLease(
        { name: o.nodeName, namespace: 'kube-node-lease', body: { spec } },
        mergePatch,
      );
    } catch (e) {
      if ((e as { code?: number }).code !== 404) throw e;
      await coordination.createNamespacedLease({
        namespace: 'kube-node-lease',
        body: { metadata: { name: o.nodeName, namespace: 'kube-node-lease' }, spec },
      });
    }
  } catch (e) {
    log(`heartbeat: ${(e as Error).message.slice(0, 600)}`);
  }
}
