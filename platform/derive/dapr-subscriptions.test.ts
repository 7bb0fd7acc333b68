import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { catalog, type FunctionSpec } from '../../functions/catalog.ts';
import { daprSubscriptions, deadLetterTopic, renderYaml } from './dapr-subscriptions.ts';

const componentsDir = fileURLToPath(new URL('../../dapr-components/', import.meta.url));
const kubeconform = fileURLToPath(new URL('../engines/kubeconform.sh', import.meta.url));
const read = (f: string) => readFileSync(componentsDir + f, 'utf8');

function validate(yamlText: string) {
  const r = spawnSync('bash', [kubeconform, '-'], { input: yamlText, encoding: 'utf8', timeout: 600_000 });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

describe('Dapr subscriptions derived from the catalog', () => {
  it('gives every event function one Subscription per topic: its route, its app-id scope, a dead-letter topic', () => {
    const subs = daprSubscriptions(catalog);
    const expected = catalog.flatMap((f) => f.subscriptions.map((s) => ({ fn: f.name, ...s })));
    expect(expected.length).toBeGreaterThan(0);
    expect(subs).toHaveLength(expected.length);
    for (const e of expected) {
      const s = subs.find((x) => x.scopes[0] === e.fn && x.spec.topic === e.topic);
      expect(s, `${e.fn} ${e.topic}`).toBeDefined();
      expect(s!.spec).toEqual({
        pubsubname: 'pubsub',
        topic: e.topic,
        routes: { default: e.route },
        deadLetterTopic: deadLetterTopic(e.fn, e.topic),
      });
      expect(s!.scopes).toEqual([e.fn]);
    }
  });

  it('derives from whatever the catalog says (a new function needs no YAML by hand)', () => {
    const fn: FunctionSpec = {
      name: 'x-fn',
      kind: 'event',
      description: '',
      routes: [],
      subscriptions: [{ topic: 'reminders', route: '/events/reminders' }],
      scaling: { minReplicas: 0, maxReplicas: 1 },
      resources: { cpu: '1m', memory: '1Mi' },
      secrets: ['DATABASE_URL', 'JWT_SECRET', 'APP_API_TOKEN'],
    };
    const [s] = daprSubscriptions([fn], { pubsubName: 'other' });
    expect(s?.metadata.name).toBe('x-fn-reminders');
    expect(s?.spec.pubsubname).toBe('other');
    expect(() => daprSubscriptions([fn, fn])).toThrow(/both be named x-fn-reminders/);
  });

  it('renders YAML that parses back to the same objects and passes the Dapr CRD schema', () => {
    const subs = daprSubscriptions(catalog);
    const text = renderYaml(subs);
    expect(parseAllDocuments(text).map((d) => d.toJS())).toEqual(subs);
    const v = validate(text);
    expect(v.ok, v.out).toBe(true);
  });
});

describe('dapr-components', () => {
  it('pubsub.kafka sets no consumerGroup (it defaults to the app-id) and reads from the oldest offset', () => {
    for (const f of ['pubsub.yaml', 'standalone/pubsub.yaml']) {
      const doc = parseAllDocuments(read(f))[0]!.toJS();
      const meta = Object.fromEntries(
        doc.spec.metadata.map((m: { name: string; value?: string }) => [m.name, m.value ?? 'secret']),
      );
      expect(doc.spec.type).toBe('pubsub.kafka');
      expect(meta.consumerGroup).toBeUndefined();
      expect(meta.initialOffset).toBe('oldest');
    }
  });

  it('keeps the standalone Resiliency identical to the cluster one', () => {
    const strip = (t: string) => t.replace(/^# Standalone copy.*\n/, '');
    expect(strip(read('standalone/resiliency.yaml'))).toBe(read('resiliency.yaml'));
  });

  it('every cluster and standalone resource passes the Dapr CRD schemas', () => {
    const files = [
      'pubsub.yaml',
      'secretstore.yaml',
      'resiliency.yaml',
      'configuration.yaml',
      'standalone/pubsub.yaml',
      'standalone/resiliency.yaml',
      'standalone/config/configuration.yaml',
    ];
    const v = validate(files.map(read).join('\n---\n'));
    expect(v.ok, v.out).toBe(true);
  });
});
