// A whole Kubernetes cluster on this machine, with no container runtime: the real control plane (etcd,
// kube-apiserver, kube-controller-manager, kube-scheduler), KEDA's operator and metrics adapter, our node
// agent as the one node, and beside the cluster — as a managed Kafka and Postgres would be — Kafka,
// Postgres and the Dapr Scheduler on the pod bridge's host address. `platform up --target local`
// installs the chart into it; the cluster tier (cluster.test.ts) and `npm run bench` drive it.
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { startEmbeddedPostgres } from '@todo/core/db/embedded';
import { ensureContainerNode } from '../engines/container-node.ts';
import { ensureDapr, startScheduler } from '../engines/dapr.ts';
import {
  createPodNetwork,
  deletePodNetwork,
  issueCert,
  startControlPlane,
  startKeda,
} from '../engines/k8s-cluster.ts';
import { startKafka } from '../engines/kafka.ts';
import { freePorts, makeTempDir, removeTempDir, version } from '../engines/proc.ts';
import { startNodeAgent } from '../node-agent/agent.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;

/** Where `platform up --target local` finds what lives outside the cluster (kube-public, like cluster-info). */
export const LOCAL_CLUSTER_CONFIGMAP = { namespace: 'kube-public', name: 'todo-fn-local-cluster' };

export interface LocalCluster {
  kubeconfig: string;
  kc: KubeConfig;
  brokers: string;
  /** The app's database as pods see it. */
  databaseUrl: string;
  /** The same database from this host (tests read it directly). */
  hostDatabaseUrl: string;
  logs: Record<string, string>;
  podLog(namespace: string, pod: string, container: string): string | undefined;
  stop(): Promise<void>;
}

/** Dapr's CRDs from the same github.com/dapr/dapr module get-dapr.sh builds daprd from. */
function daprCrdDir(): string {
  const out = execFileSync(
    'go',
    ['mod', 'download', '-json', `github.com/dapr/dapr@v${version('DAPR_VERSION')}`],
    {
      cwd: makeTempDir('go-mod'),
      encoding: 'utf8',
      env: { ...process.env, GOFLAGS: '-mod=mod' },
    },
  );
  const dir = (JSON.parse(out) as { Dir: string }).Dir;
  return join(dir, 'charts', 'dapr', 'crds');
}

export async function startLocalCluster(
  opts: { log?: (line: string) => void; partitions?: number } = {},
): Promise<LocalCluster> {
  const log = opts.log ?? (() => {});
  const t0 = Date.now();
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const s of stops.reverse()) await s().catch((e: unknown) => log(`stop: ${(e as Error).message}`));
  };
  try {
    const network = createPodNetwork();
    stops.push(async () => deletePodNetwork(network));
    const daprBin = await ensureDapr();
    // The images' Node.js: todo-<function> pods start from their snapshots, as the images do.
    const snapshotNode = await ensureContainerNode();

    const cp = await startControlPlane({ network });
    stops.push(() => cp.stop());
    log(`control plane up at ${cp.server} (${Date.now() - t0} ms)`);
    const kubectl = (args: string[], input?: string) =>
      execFileSync('kubectl', ['--kubeconfig', cp.kubeconfig, ...args], { input, encoding: 'utf8' });

    // Outside the cluster, on the bridge address pods can reach.
    const [kafka, scheduler, pg] = await Promise.all([
      startKafka({ host: network.hostIp, partitions: opts.partitions ?? 3 }),
      startScheduler({ host: network.hostIp }),
      (async () => {
        const dir = join(makeTempDir('cluster-pg'), 'data');
        execFileSync('chmod', ['755', join(dir, '..')]);
        const [port] = (await freePorts(1)) as [number];
        return {
          port,
          ...(await startEmbeddedPostgres({
            dataDir: dir,
            port,
            persistent: false,
            alsoListenOn: { address: network.hostIp, allowCidr: network.podCidr },
          })),
        };
      })(),
    ]);
    stops.push(
      () => kafka.stop(),
      () => scheduler.stop(),
      () => pg.stop(),
    );
    const hostDatabaseUrl = pg.url.replace(/\/postgres$/, '/todo');
    const { default: pgLib } = await import('pg');
    const admin = new pgLib.Client({ connectionString: pg.url });
    await admin.connect();
    await admin.query('create database todo');
    await admin.end();
    const databaseUrl = hostDatabaseUrl.replace('127.0.0.1', network.hostIp);

    const daprCrds = daprCrdDir();
    for (const f of readdirSync(daprCrds).filter((n) => n.endsWith('.yaml')))
      kubectl(['apply', '--server-side', '-f', join(daprCrds, f)]);

    const keda = await startKeda(cp);
    stops.push(() => keda.stop());

    // The node: its own webhook certificate for the Dapr injector, signed by the cluster CA.
    const agentDir = makeTempDir('node-agent');
    stops.push(async () => removeTempDir(agentDir));
    const [injectorPort] = (await freePorts(1)) as [number];
    const [cert, key] = issueCert(
      agentDir,
      'injector',
      { cert: cp.pki.caCert, key: cp.pki.caKey },
      '/CN=dapr-sidecar-injector',
      [`IP:${network.hostIp}`],
      'server',
    );
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfig);
    const apiPort = Number(new URL(cp.server).port);
    const agent = await startNodeAgent({
      kubeconfig: kc,
      nodeName: 'todo-fn-node',
      bridge: network.bridge,
      hostIp: network.hostIp,
      podCidr: network.podCidr,
      apiserver: { host: '127.0.0.1', port: apiPort, caCert: cp.pki.caCert },
      images: { repoRoot, daprBin, snapshotNode },
      injector: {
        port: injectorPort,
        cert,
        key,
        settings: {
          image: `ghcr.io/dapr/daprd:${version('DAPR_VERSION')}`,
          schedulerAddress: scheduler.address,
        },
      },
      dir: agentDir,
      log: (line) => log(`[node] ${line}`),
    });
    stops.push(() => agent.stop());

    await kc.makeApiClient(CoreV1Api).createNamespacedConfigMap({
      namespace: LOCAL_CLUSTER_CONFIGMAP.namespace,
      body: {
        metadata: { name: LOCAL_CLUSTER_CONFIGMAP.name },
        data: { brokers: kafka.brokers, databaseUrl, schedulerAddress: scheduler.address },
      },
    });
    log(`local cluster ready in ${Date.now() - t0} ms`);
    return {
      kubeconfig: cp.kubeconfig,
      kc,
      brokers: kafka.brokers,
      databaseUrl,
      hostDatabaseUrl,
      logs: { ...cp.logs, ...keda.logs, kafka: kafka.logFile, scheduler: scheduler.logFile },
      podLog: (ns, pod, container) => agent.runtime.logFile(ns, pod, container),
      stop: stopAll,
    };
  } catch (e) {
    await stopAll();
    throw e;
  }
}
