// Scale from zero and back on the real control plane (platform/local-cluster): the chart installed by
// `up --target local`, KEDA reading the audit function's consumer-group lag. Each round writes one task
// through the gateway (its TaskCreated is lag for `audit`), times lag → first audit pod Ready, Ready →
// lag 0, and lag 0 → replicas 0. References: KEDA's polling interval, and the cooldown + one interval the chart sets.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { directKafka } from '../../platform/cli/kafka-access.ts';
import { connect } from '../../platform/cli/kube.ts';
import { upLocal } from '../../platform/cli/local-target.ts';
import { startLocalCluster } from '../../platform/local-cluster/start.ts';
import { type BenchRow, ms, percentile } from './stats.ts';

const NS = 'todo-app';
const FN = 'audit';

export async function benchClusterScaling(opts: { rounds?: number } = {}): Promise<BenchRow[]> {
  const rounds = opts.rounds ?? 3;
  const values = parse(
    readFileSync(new URL('../../platform/chart/values-local.yaml', import.meta.url), 'utf8'),
  ) as {
    keda: { pollingInterval: number; cooldownPeriod: number };
  };
  const pollMs = values.keda.pollingInterval * 1000;
  const cooldownMs = values.keda.cooldownPeriod * 1000;
  const cluster = await startLocalCluster();
  try {
    const kube = connect(cluster.kc);
    await upLocal(kube, { namespace: NS, tag: 'bench', timeoutMs: 300_000, log: () => {} });
    const gw = await kube.core.readNamespacedService({ name: 'gateway', namespace: NS });
    const api = `http://${gw.spec?.clusterIP}:8080`;
    const post = async (path: string, body: unknown, token?: string) => {
      const res = await fetch(api + path, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify(body),
      });
      return (await res.json()) as { token?: string };
    };
    const { token } = await post('/api/v1/auth/signup', {
      email: `bench-${randomUUID().slice(0, 8)}@example.com`,
      password: 'correct horse battery',
    });
    const read = async () => (await kube.apps.readNamespacedDeployment({ name: FN, namespace: NS })).status;
    const spec = async () => (await kube.apps.readNamespacedDeployment({ name: FN, namespace: NS })).spec;
    const waitFor = async (ok: () => Promise<boolean>, limitMs: number) => {
      const t0 = Date.now();
      while (!(await ok())) {
        if (Date.now() - t0 > limitMs)
          throw new Error(`cluster bench: ${FN} did not change within ${limitMs} ms`);
        await new Promise((r) => setTimeout(r, 100));
      }
      return Date.now() - t0;
    };
    const kafka = await directKafka([cluster.brokers]);
    /** The audit group's lag over task-events, as KEDA's Kafka scaler computes it (platform/cli/lag.ts). */
    const lag = () => kafka.readLag(FN, ['task-events']);
    const wake: number[] = [];
    const drain: number[] = [];
    const sleep: number[] = [];
    try {
      for (let i = 0; i < rounds; i++) {
        await waitFor(async () => ((await spec())?.replicas ?? 0) === 0, 180_000);
        await post('/api/v1/tasks', { title: `Bench ${i}` }, token);
        await waitFor(async () => (await lag()) > 0, 30_000);
        wake.push(await waitFor(async () => ((await read())?.readyReplicas ?? 0) >= 1, 120_000));
        drain.push(await waitFor(async () => (await lag()) === 0, 120_000));
        sleep.push(await waitFor(async () => ((await spec())?.replicas ?? 0) === 0, 180_000));
      }
    } finally {
      await kafka.close();
    }
    return [
      {
        metric: `scale from zero: lag → first ${FN} pod Ready, median of ${rounds} (max)`,
        ours: `${ms(percentile(wake, 50))} (${ms(Math.max(...wake))})`,
        reference: `${ms(pollMs)} KEDA polling interval`,
        ratio: `${(percentile(wake, 50) / pollMs).toFixed(2)}×`,
        target: '≤ 5 s',
      },
      {
        metric: `  then first pod Ready → its group's lag 0 (consumer joins, reads, commits), median (max)`,
        ours: `${ms(percentile(drain, 50))} (${ms(Math.max(...drain))})`,
        reference: '—',
        ratio: 'n/a',
        target: '—',
      },
      {
        metric: `back to zero: lag 0 → replicas 0, median of ${rounds} (max)`,
        ours: `${ms(percentile(sleep, 50))} (${ms(Math.max(...sleep))})`,
        reference: `${ms(cooldownMs + pollMs)} cooldown + one interval`,
        ratio: `${(percentile(sleep, 50) / (cooldownMs + pollMs)).toFixed(2)}×`,
        target: '≤ cooldown + one interval',
      },
    ];
  } finally {
    await cluster.stop();
  }
}
