// Declarative Dapr Subscriptions, derived from the catalog: one per (event function, topic), scoped to
// that function's app-id, delivering to its route, with a dead-letter topic. Used by the Helm chart and by
// the real-engine tests (standalone daprd loads the same YAML from --resources-path).
import { stringify } from 'yaml';
import type { FunctionSpec } from '../../functions/catalog.ts';

export interface DaprSubscription {
  apiVersion: 'dapr.io/v2alpha1';
  kind: 'Subscription';
  metadata: { name: string; labels: Record<string, string> };
  spec: {
    pubsubname: string;
    topic: string;
    routes: { default: string };
    deadLetterTopic: string;
  };
  scopes: string[];
}

/**
 * Where a function's undeliverable events for a topic go: a DROP (schema failure) at once, a RETRY once
 * the Resiliency policy gives up. Per function, so one consumer's poison does not mix with another's.
 */
export const deadLetterTopic = (fn: string, topic: string) => `${topic}.dlq.${fn}`;

export function daprSubscriptions(
  // Only the names and subscriptions matter (the bench subscribes a consumer that is no catalog entry).
  catalog: readonly Pick<FunctionSpec, 'name' | 'subscriptions'>[],
  opts: { pubsubName?: string } = {},
): DaprSubscription[] {
  const out: DaprSubscription[] = [];
  for (const fn of catalog) {
    for (const sub of fn.subscriptions) {
      out.push({
        apiVersion: 'dapr.io/v2alpha1',
        kind: 'Subscription',
        metadata: {
          name: `${fn.name}-${sub.topic}`,
          labels: { 'app.kubernetes.io/part-of': 'todo', 'todo/function': fn.name },
        },
        spec: {
          pubsubname: opts.pubsubName ?? 'pubsub',
          topic: sub.topic,
          routes: { default: sub.route },
          deadLetterTopic: deadLetterTopic(fn.name, sub.topic),
        },
        // Only this function's daprd subscribes (its app-id = its consumer group).
        scopes: [fn.name],
      });
    }
  }
  const names = out.map((s) => s.metadata.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new Error(`two catalog subscriptions would both be named ${dup}`);
  return out;
}

/** A multi-document YAML stream of the given resources. */
export function renderYaml(resources: readonly object[]): string {
  return resources.map((r) => stringify(r, { lineWidth: 0 })).join('---\n');
}
