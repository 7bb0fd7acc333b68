// `todo-platform up`: install or verify each dependency in the seed's order (Dapr, KEDA, HTTP add-on,
// Kafka, Postgres, components, functions, web), apply each layer and wait until it is ready.
import { randomBytes } from 'node:crypto';
import { k8sDir, loadDependencies, type ReadyCheck } from './dependencies.ts';
import { describe, ensureReachable, type Kube, PlatformError, statusOf } from './kube.ts';
import { requireCommand, sh } from './shell.ts';

export interface UpOptions {
  /** Image tag the function/web images were built with (the git SHA); replaces the manifests' `dev`. */
  tag: string;
  timeoutMs: number;
  log: (line: string) => void;
}

const SECOND = 1000;

export async function up(kube: Kube, opts: UpOptions): Promise<void> {
  requireCommand('kubectl', ['version', '--client']);
  requireCommand('helm');
  await ensureReachable(kube);
  const deps = loadDependencies();
  const steps = deps.charts.length + deps.layers.length;
  let step = 0;
  const progress = (what: string) => `[${++step}/${steps}] ${what}`;

  for (const c of deps.charts) {
    const label = progress(`${c.chart} ${c.version} (${c.namespace})`);
    const t0 = Date.now();
    const installed = await installedChartVersion(c.release, c.namespace);
    if (installed === `${c.chart}-${c.version}`) {
      opts.log(`${label}: already installed, verifying readiness`);
    } else {
      opts.log(`${label}: ${installed ? `upgrading from ${installed}` : 'installing'}…`);
      await sh('helm', [
        'upgrade',
        '--install',
        c.release,
        c.chart,
        '--repo',
        c.repo,
        '--version',
        c.version,
        '--namespace',
        c.namespace,
        '--create-namespace',
        ...c.set.flatMap((s) => ['--set', s]),
        '--wait',
        '--timeout',
        `${Math.round(opts.timeoutMs / SECOND)}s`,
      ]);
    }
    await waitReady(kube, c.namespace, c.ready, opts);
    opts.log(`${label}: ready (${Math.round((Date.now() - t0) / SECOND)}s)`);
  }

  const k8s = k8sDir;
  await sh('kubectl', ['apply', '-f', `${k8s}namespace.yaml`]);
  for (const layer of deps.layers) {
    const label = progress(`${layer.path}`);
    const t0 = Date.now();
    opts.log(`${label}: applying platform/k8s/${layer.path}`);
    // A Job's template is immutable: re-running `up` with a new image tag replaces the Job.
    for (const job of layer.ready.filter((r) => r.kind === 'Job'))
      await sh('kubectl', ['delete', 'job', job.name, '--namespace', deps.namespace, '--ignore-not-found']);
    const rendered = await sh('kubectl', ['kustomize', `${k8s}${layer.path}`]);
    const tagged = rendered.replace(/(image: (?:\S+\/)?todo-[a-z0-9-]+):dev\b/g, `$1:${opts.tag}`);
    const filled = await fillGeneratedSecrets(tagged, deps.namespace);
    await sh('kubectl', ['apply', '--namespace', deps.namespace, '-f', '-'], filled);
    await waitReady(kube, deps.namespace, layer.ready, opts);
    opts.log(`${label}: ready (${Math.round((Date.now() - t0) / SECOND)}s)`);
  }
  opts.log(
    `Done. Try: kubectl -n ${deps.namespace} port-forward svc/gateway 8080:8080 and npm run platform -- status`,
  );
}

/** How the chart renders, offline, a secret it generates at install (see todo.generatedSecret). */
const GENERATED = /generated-by-platform-up:([a-z0-9.-]+)\/([A-Za-z0-9_.-]+)/g;

/**
 * The kustomize files hold a placeholder where the chart (helm install) would generate a secret (the
 * JWT secret, Dapr's app API token): fill each with the value already in the cluster, so sessions and
 * sidecars survive a second `up`, or else with 32 fresh random bytes.
 */
export async function fillGeneratedSecrets(rendered: string, namespace: string): Promise<string> {
  const values = new Map<string, string>();
  for (const [placeholder, name, key] of rendered.matchAll(GENERATED)) {
    if (values.has(placeholder) || !name || !key) continue;
    let live = '';
    try {
      const data = await sh('kubectl', [
        'get',
        'secret',
        name,
        '--namespace',
        namespace,
        '--ignore-not-found',
        '-o',
        `jsonpath={.data.${key.replace(/\./g, '\\.')}}`,
      ]);
      live = Buffer.from(data.trim(), 'base64').toString('utf8');
    } catch {
      live = '';
    }
    const usable = live && !live.startsWith('generated-by-platform-up:');
    values.set(placeholder, usable ? live : randomBytes(32).toString('base64url'));
  }
  return rendered.replace(GENERATED, (placeholder) => values.get(placeholder) ?? placeholder);
}

async function installedChartVersion(release: string, namespace: string): Promise<string | undefined> {
  const out = await sh('helm', [
    'list',
    '--namespace',
    namespace,
    '--filter',
    `^${release}$`,
    '--output',
    'json',
  ]);
  const list = JSON.parse(out || '[]') as { name: string; chart: string; status: string }[];
  const found = list.find((r) => r.name === release && r.status === 'deployed');
  return found?.chart;
}

/** Polls until every listed object is ready (Deployments ≥1 ready replica, StatefulSets all, Jobs done). */
export async function waitReady(
  kube: Kube,
  namespace: string,
  checks: ReadyCheck[],
  opts: UpOptions,
): Promise<void> {
  const deadline = Date.now() + opts.timeoutMs;
  for (const check of checks) {
    let last = 'not found yet';
    for (;;) {
      try {
        const state = await readiness(kube, namespace, check);
        if (state === true) break;
        last = state;
      } catch (e) {
        last = statusOf(e) === 404 ? 'not found yet' : describe(e);
      }
      if (Date.now() > deadline)
        throw new PlatformError(
          `${check.kind} ${namespace}/${check.name} not ready after ${Math.round(opts.timeoutMs / SECOND)}s (${last}). Look at: kubectl -n ${namespace} describe ${check.kind.toLowerCase()} ${check.name}`,
        );
      await new Promise((r) => setTimeout(r, 2 * SECOND));
    }
  }
}

async function readiness(kube: Kube, namespace: string, check: ReadyCheck): Promise<true | string> {
  if (check.kind === 'Deployment') {
    const d = await kube.apps.readNamespacedDeployment({ name: check.name, namespace });
    const ready = d.status?.readyReplicas ?? 0;
    return ready >= Math.min(1, d.spec?.replicas ?? 1) || `${ready}/${d.spec?.replicas ?? 1} ready`;
  }
  if (check.kind === 'StatefulSet') {
    const s = await kube.apps.readNamespacedStatefulSet({ name: check.name, namespace });
    const ready = s.status?.readyReplicas ?? 0;
    return ready >= (s.spec?.replicas ?? 1) || `${ready}/${s.spec?.replicas ?? 1} ready`;
  }
  const { BatchV1Api } = await import('@kubernetes/client-node');
  const job = await kube.config.makeApiClient(BatchV1Api).readNamespacedJob({ name: check.name, namespace });
  if ((job.status?.succeeded ?? 0) > 0) return true;
  if (job.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True'))
    throw new PlatformError(
      `Job ${namespace}/${check.name} failed. Logs: kubectl -n ${namespace} logs job/${check.name}`,
    );
  return `${job.status?.active ?? 0} running, ${job.status?.failed ?? 0} failed attempts`;
}

export async function down(kube: Kube, opts: { all: boolean; log: (line: string) => void }): Promise<void> {
  requireCommand('kubectl', ['version', '--client']);
  await ensureReachable(kube);
  const deps = loadDependencies();
  const k8s = k8sDir;
  for (const layer of [...deps.layers].reverse()) {
    opts.log(`deleting platform/k8s/${layer.path}`);
    const rendered = await sh('kubectl', ['kustomize', `${k8s}${layer.path}`]);
    await sh(
      'kubectl',
      ['delete', '--namespace', deps.namespace, '--ignore-not-found', '--wait=false', '-f', '-'],
      rendered,
    );
  }
  opts.log(`deleting namespace ${deps.namespace}`);
  await sh('kubectl', ['delete', 'namespace', deps.namespace, '--ignore-not-found']);
  if (opts.all) {
    requireCommand('helm');
    for (const c of [...deps.charts].reverse()) {
      opts.log(`uninstalling ${c.release} (${c.namespace})`);
      await sh('helm', ['uninstall', c.release, '--namespace', c.namespace, '--ignore-not-found']);
    }
  }
  opts.log('Done.');
}
