// platform/k8s/dependencies.json: the pinned charts installed before the app, and the app's layers.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const Ready = z.object({
  kind: z.enum(['Deployment', 'StatefulSet', 'Job']),
  name: z.string(),
  /**
   * A chart workload's replica count as installed: a number where the chart fixes it, else the values
   * key (in `set`) that gives it. With `requests`, what the Minikube budget counts.
   */
  replicas: z.union([z.number().int().min(0), z.string()]).optional(),
  /** The values key whose `.cpu` and `.memory` (both in `set`) are its container's requests. */
  requests: z.string().optional(),
});
export type ReadyCheck = z.infer<typeof Ready>;

export const Dependencies = z.object({
  namespace: z.string(),
  charts: z.array(
    z.object({
      release: z.string(),
      namespace: z.string(),
      repo: z.url(),
      chart: z.string(),
      version: z.string().regex(/^\d+\.\d+\.\d+$/, 'pin an exact chart version'),
      set: z.array(z.string()),
      ready: z.array(Ready),
    }),
  ),
  layers: z.array(z.object({ path: z.string(), ready: z.array(Ready) })),
});
export type Dependencies = z.infer<typeof Dependencies>;

export const k8sDir = new URL('../k8s/', import.meta.url).pathname;

export function loadDependencies(): Dependencies {
  return Dependencies.parse(JSON.parse(readFileSync(`${k8sDir}dependencies.json`, 'utf8')));
}

export interface WorkloadRequests {
  chart: string;
  name: string;
  replicas: number;
  cpu: string;
  memory: string;
}

/**
 * What each chart's workloads request as `up` installs them: replicas × requests, read from the chart's
 * `set` list, so no chart default is ever counted unseen. Throws when a Deployment or StatefulSet of a
 * chart does not say where its replicas and requests come from, or `set` does not pin them.
 */
export function chartRequests(deps: Dependencies = loadDependencies()): WorkloadRequests[] {
  return deps.charts.flatMap((c) => {
    const values = new Map(
      c.set.map((s) => {
        const at = s.indexOf('=');
        return [s.slice(0, at), s.slice(at + 1)] as const;
      }),
    );
    const pinned = (key: string) => {
      const v = values.get(key);
      if (v === undefined)
        throw new Error(`${c.chart}: set has no ${key}= (pin it instead of the chart's default)`);
      return v;
    };
    return c.ready
      .filter((r) => r.kind !== 'Job')
      .map((r) => {
        if (r.replicas === undefined || r.requests === undefined)
          throw new Error(`${c.chart}: ready ${r.name} needs "replicas" and "requests" for the budget`);
        return {
          chart: c.chart,
          name: r.name,
          replicas: typeof r.replicas === 'number' ? r.replicas : Number(pinned(r.replicas)),
          cpu: pinned(`${r.requests}.cpu`),
          memory: pinned(`${r.requests}.memory`),
        };
      });
  });
}
