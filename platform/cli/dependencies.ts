// platform/k8s/dependencies.json: the pinned charts installed before the app, and the app's layers.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const Ready = z.object({ kind: z.enum(['Deployment', 'StatefulSet', 'Job']), name: z.string() });
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
