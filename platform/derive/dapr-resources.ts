// The Dapr resources the chart ships, taken from their owners rather than rewritten here: the cluster
// components in dapr-components/ (pubsub.kafka, secret store, Resiliency, Configuration) and the
// declarative Subscriptions from dapr-subscriptions.ts.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FunctionSpec } from '../../functions/catalog.ts';
import { daprSubscriptions, renderYaml } from './dapr-subscriptions.ts';

const componentsDir = fileURLToPath(new URL('../../dapr-components/', import.meta.url));

/** file name → YAML text, for platform/chart/files/dapr/. */
export function daprResources(catalog: FunctionSpec[]): Map<string, string> {
  const out = new Map<string, string>();
  // Only the top level: dapr-components/standalone/ holds the variants for daprd outside a cluster.
  if (existsSync(componentsDir))
    for (const f of readdirSync(componentsDir).sort())
      if (/\.ya?ml$/.test(f)) out.set(f, readFileSync(join(componentsDir, f), 'utf8'));
  const subscriptions = daprSubscriptions(catalog);
  if (out.has('subscriptions.yaml'))
    throw new Error('dapr-components/subscriptions.yaml clashes with the generated one');
  if (subscriptions.length > 0) out.set('subscriptions.yaml', renderYaml(subscriptions));
  return out;
}
