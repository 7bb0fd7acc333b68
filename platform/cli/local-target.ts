// `up|down|status --target local`: the same chart users install, into the local process cluster
// (platform/local-cluster), with the same waits. What lives outside that cluster (Kafka, Postgres) is
// read from the ConfigMap the cluster publishes, as a cloud install reads its managed services' addresses.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureContainerNode, snapshotBlobsFor } from '../engines/container-node.ts';
import { ensureK8sTools } from '../engines/k8s-tools.ts';
import { LOCAL_CLUSTER_CONFIGMAP } from '../local-cluster/start.ts';
import { describe, type Kube, PlatformError, statusOf } from './kube.ts';
import { waitReady } from './up.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;
export const LOCAL_RELEASE = 'todo';
/** Always-on functions `up` waits for (the catalog's always-on set; event functions start at zero). */
const READY = ['gateway', 'clock', 'live'];

export interface LocalClusterInfo {
  brokers: string;
  databaseUrl: string;
}

export async function localClusterInfo(kube: Kube): Promise<LocalClusterInfo> {
  try {
    const cm = await kube.core.readNamespacedConfigMap(LOCAL_CLUSTER_CONFIGMAP);
    const { brokers, databaseUrl } = cm.data ?? {};
    if (!brokers || !databaseUrl)
      throw new PlatformError(`ConfigMap ${LOCAL_CLUSTER_CONFIGMAP.name} is incomplete`);
    return { brokers, databaseUrl };
  } catch (e) {
    if (statusOf(e) === 404)
      throw new PlatformError(
        `${kube.server} is not a local process cluster (no ConfigMap ${LOCAL_CLUSTER_CONFIGMAP.namespace}/${LOCAL_CLUSTER_CONFIGMAP.name}). Start one with: npm run platform -- cluster`,
      );
    throw e instanceof PlatformError
      ? e
      : new PlatformError(`cannot read the local cluster's settings: ${describe(e)}`);
  }
}

function run(command: string, args: string[], log: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (d: Buffer) => {
      out = (out + d.toString()).slice(-8000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    child.once('error', (e) => reject(new PlatformError(`could not run ${command}: ${e.message}`)));
    child.once('close', (code) => {
      if (code === 0) {
        for (const line of out.trim().split('\n').slice(-3)) if (line) log(`      ${line}`);
        resolve();
      } else
        reject(new PlatformError(`${command} ${args.slice(0, 3).join(' ')} failed (exit ${code}):\n${out}`));
    });
  });
}

/** helm with the CLI's own cluster connection (a kubeconfig file helm reads, removed afterwards). */
async function helmWith(kube: Kube, args: string[], log: (line: string) => void): Promise<void> {
  const { helm } = await ensureK8sTools();
  const dir = mkdtempSync(join(tmpdir(), 'todo-fn-helm-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, kube.config.exportConfig(), { mode: 0o600 });
  try {
    await run(helm, ['--kubeconfig', kubeconfig, ...args], log);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The helm arguments of an install into the local cluster (exported for the test that checks them). */
export function helmInstallArgs(
  info: LocalClusterInfo,
  opts: { namespace: string; tag: string; timeoutS: number; set?: string[] },
) {
  return [
    'upgrade',
    '--install',
    LOCAL_RELEASE,
    'platform/chart',
    '--namespace',
    opts.namespace,
    '--create-namespace',
    '-f',
    'platform/chart/values.yaml',
    '-f',
    'platform/chart/values-local.yaml',
    '--set-string',
    `image.tag=${opts.tag}`,
    '--set-string',
    `kafka.brokers=${info.brokers}`,
    '--set-string',
    `secrets.minikube.DATABASE_URL=${info.databaseUrl}`,
    ...(opts.set ?? []).flatMap((s) => ['--set', s]),
    // Waits for the migration hook Job, then every Deployment with replicas to be available.
    '--wait',
    '--timeout',
    `${opts.timeoutS}s`,
  ];
}

export async function upLocal(
  kube: Kube,
  opts: { namespace: string; tag: string; timeoutMs: number; log: (line: string) => void; set?: string[] },
): Promise<void> {
  const t0 = Date.now();
  opts.log('[1/3] reading the local cluster’s Kafka and Postgres addresses');
  const info = await localClusterInfo(kube);
  opts.log(`      brokers ${info.brokers}`);
  opts.log('[2/3] building what the node runs for todo-<function> images: each start-up snapshot (dist/)');
  await run(process.execPath, ['platform/scripts/build-functions.mjs', '--snapshots'], opts.log);
  // As each image's Dockerfile step does, with the images' Node.js (the node's snapshotNode).
  const blobs = await snapshotBlobsFor(await ensureContainerNode(), join(repoRoot, 'dist'));
  opts.log(`      ${blobs.length} snapshot blobs in dist/snapshots/`);
  opts.log(`[3/3] helm upgrade --install ${LOCAL_RELEASE} platform/chart (values.yaml + values-local.yaml)`);
  const timeoutS = Math.round(opts.timeoutMs / 1000);
  await helmWith(
    kube,
    helmInstallArgs(info, { namespace: opts.namespace, tag: opts.tag, timeoutS, set: opts.set }),
    opts.log,
  );
  await waitReady(
    kube,
    opts.namespace,
    READY.map((name) => ({ kind: 'Deployment' as const, name })),
    { tag: opts.tag, timeoutMs: opts.timeoutMs, log: opts.log },
  );
  opts.log(`Done in ${Math.round((Date.now() - t0) / 1000)}s. npm run platform -- status --target local`);
}

export async function downLocal(kube: Kube, opts: { namespace: string; log: (line: string) => void }) {
  opts.log(`helm uninstall ${LOCAL_RELEASE}`);
  await helmWith(
    kube,
    ['uninstall', LOCAL_RELEASE, '--namespace', opts.namespace, '--ignore-not-found', '--wait'],
    opts.log,
  );
  opts.log(`deleting namespace ${opts.namespace}`);
  await kube.core.deleteNamespace({ name: opts.namespace }).catch((e) => {
    if (statusOf(e) !== 404) throw e;
  });
  opts.log('Done.');
}
