// The Kubernetes client, with errors that say what to do when there is no cluster.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';

export interface Kube {
  config: KubeConfig;
  core: CoreV1Api;
  apps: AppsV1Api;
  custom: CustomObjectsApi;
  /** The API server's address (for messages). */
  server: string;
}

export class PlatformError extends Error {
  override readonly name = 'PlatformError';
}

export function connect(config?: KubeConfig): Kube {
  const kc = config ?? new KubeConfig();
  if (!config) {
    // Without any kubeconfig, client-node silently falls back to http://localhost:8080.
    const files = (process.env.KUBECONFIG ?? join(homedir(), '.kube', 'config'))
      .split(delimiter)
      .filter(Boolean);
    if (!process.env.KUBERNETES_SERVICE_HOST && !files.some((f) => existsSync(f)))
      throw new PlatformError(
        `No Kubernetes cluster configured (no kubeconfig at ${files.join(', ') || '$KUBECONFIG'}). Start one: minikube start --cpus 4 --memory 8g`,
      );
    try {
      kc.loadFromDefault();
    } catch (e) {
      throw new PlatformError(
        `Could not read a kubeconfig (${(e as Error).message}). Start a cluster: minikube start --cpus 4 --memory 8g`,
      );
    }
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster)
    throw new PlatformError(
      'No Kubernetes cluster configured (no current context in ~/.kube/config or $KUBECONFIG). Start one: minikube start --cpus 4 --memory 8g',
    );
  return {
    config: kc,
    core: kc.makeApiClient(CoreV1Api),
    apps: kc.makeApiClient(AppsV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    server: cluster.server,
  };
}

/** Fails with a clear message when the API server does not answer. */
export async function ensureReachable(kube: Kube): Promise<void> {
  try {
    await kube.core.listNamespace({ limit: 1 });
  } catch (e) {
    throw new PlatformError(
      `The cluster at ${kube.server} does not answer (${describe(e)}). Is it running? minikube status / minikube start --cpus 4 --memory 8g`,
    );
  }
}

/** HTTP status of a client-node ApiException, if it is one. */
export function statusOf(e: unknown): number | undefined {
  const code = (e as { code?: unknown }).code;
  return typeof code === 'number' ? code : undefined;
}

export function describe(e: unknown): string {
  const status = statusOf(e);
  const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
  return status ? `HTTP ${status}: ${msg}` : (msg ?? 'unknown error');
}
