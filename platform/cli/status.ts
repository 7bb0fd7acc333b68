// `todo-platform status`: one row per function — replicas wanted and ready, at zero or not, its KEDA
// bounds, its Kafka consumer group's lag (read with kafkajs), and the last scale event.
import type { CoreV1Event, V1Deployment } from '@kubernetes/client-node';
import { describe, type Kube, PlatformError, statusOf } from './kube.ts';

export interface FunctionStatus {
  name: string;
  scaler: string;
  desired: number;
  ready: number;
  atZero: boolean;
  min?: number;
  max?: number;
  /** Consumer group and its lag over the topics its ScaledObject watches; undefined for HTTP-only. */
  group?: string;
  topics: string[];
  lag?: number | string;
  lastScale?: { message: string; at: Date };
}

/** Reads a group's lag over topics; the real one is consumerLag() over a kafkajs admin. */
export type LagReader = (group: string, topics: string[]) => Promise<number>;

interface KafkaTrigger {
  type: string;
  metadata?: Record<string, string>;
}
interface ScaledObject {
  metadata: { name: string };
  spec: {
    scaleTargetRef: { name: string };
    minReplicaCount?: number;
    maxReplicaCount?: number;
    triggers: KafkaTrigger[];
  };
}
interface HTTPScaledObject {
  metadata: { name: string };
  spec: { scaleTargetRef: { name: string }; replicas?: { min?: number; max?: number } };
}

const SCALE_REASONS = new Set([
  'ScalingReplicaSet',
  'KEDAScaleTargetActivated',
  'KEDAScaleTargetDeactivated',
  'SuccessfulRescale',
]);

/** `optional`: a missing CRD means "none" (the HTTP add-on is absent where keda.http.addon=false). */
async function listCustom<T>(
  kube: Kube,
  group: string,
  plural: string,
  namespace: string,
  optional = false,
): Promise<T[]> {
  try {
    const list = (await kube.custom.listNamespacedCustomObject({
      group,
      version: 'v1alpha1',
      namespace,
      plural,
    })) as { items?: T[] };
    return list.items ?? [];
  } catch (e) {
    if (statusOf(e) === 404 && optional) return [];
    if (statusOf(e) === 404)
      throw new PlatformError(
        `${plural}.${group} is not known to the cluster: KEDA${group.startsWith('http') ? "'s HTTP add-on" : ''} is not installed. Run: npm run platform -- up`,
      );
    throw new PlatformError(`Could not list ${plural}.${group} in ${namespace}: ${describe(e)}`);
  }
}

export async function collectStatus(
  kube: Kube,
  namespace: string,
  readLag: LagReader,
): Promise<FunctionStatus[]> {
  let deployments: V1Deployment[];
  try {
    deployments = (
      await kube.apps.listNamespacedDeployment({
        namespace,
        labelSelector: 'app.kubernetes.io/component=function',
      })
    ).items;
  } catch (e) {
    throw new PlatformError(`Could not list the functions in namespace ${namespace}: ${describe(e)}`);
  }
  if (deployments.length === 0)
    throw new PlatformError(
      `No functions are deployed in namespace ${namespace}. Run: npm run platform -- up`,
    );
  const [scaled, httpScaled, events] = await Promise.all([
    listCustom<ScaledObject>(kube, 'keda.sh', 'scaledobjects', namespace),
    listCustom<HTTPScaledObject>(kube, 'http.keda.sh', 'httpscaledobjects', namespace, true),
    kube.core.listNamespacedEvent({ namespace }).then(
      (l) => l.items,
      () => [] as CoreV1Event[],
    ),
  ]);

  const rows = deployments.map(async (d): Promise<FunctionStatus> => {
    const name = d.metadata?.name ?? '?';
    const so = scaled.find((s) => s.spec.scaleTargetRef.name === name);
    const hso = httpScaled.find((s) => s.spec.scaleTargetRef.name === name);
    const kafka = so?.spec.triggers.filter((t) => t.type === 'kafka') ?? [];
    const groups = [...new Set(kafka.map((t) => t.metadata?.consumerGroup).filter((g): g is string => !!g))];
    const topics = kafka.map((t) => t.metadata?.topic).filter((t): t is string => !!t);
    const desired = d.spec?.replicas ?? 0;
    let lag: number | string | undefined;
    if (groups.length > 0) {
      try {
        lag = 0;
        for (const g of groups) lag += await readLag(g, topics);
      } catch (e) {
        lag = `? (${(e as Error).message.split('\n')[0]})`;
      }
    }
    return {
      name,
      scaler: d.metadata?.labels?.['todo.dev/scaler'] ?? '-',
      desired,
      ready: d.status?.readyReplicas ?? 0,
      atZero: desired === 0,
      min: so?.spec.minReplicaCount ?? hso?.spec.replicas?.min ?? (so || hso ? 0 : desired),
      max: so?.spec.maxReplicaCount ?? hso?.spec.replicas?.max ?? (so || hso ? undefined : desired),
      group: groups.join(',') || undefined,
      topics,
      lag,
      lastScale: lastScaleEvent(events, name),
    };
  });
  return (await Promise.all(rows)).sort((a, b) => a.name.localeCompare(b.name));
}

/** The newest scale event about the function's Deployment, ScaledObject or HTTPScaledObject. */
export function lastScaleEvent(events: CoreV1Event[], name: string): FunctionStatus['lastScale'] {
  let best: FunctionStatus['lastScale'];
  for (const e of events) {
    if (e.involvedObject?.name !== name || !SCALE_REASONS.has(e.reason ?? '')) continue;
    const raw = e.lastTimestamp ?? e.eventTime ?? e.metadata?.creationTimestamp;
    const at = raw ? new Date(raw as unknown as string) : undefined;
    if (!at || Number.isNaN(at.getTime())) continue;
    if (!best || at > best.at) best = { message: e.message ?? e.reason ?? '', at };
  }
  return best;
}

export function ago(at: Date, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - at.getTime()) / 1000));
  if (s < 90) return `${s}s ago`;
  if (s < 90 * 60) return `${Math.round(s / 60)}m ago`;
  if (s < 36 * 3600) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

/** A plain-text table, one row per function. */
export function renderStatus(rows: FunctionStatus[], now = new Date()): string {
  const header = [
    'FUNCTION',
    'SCALER',
    'DESIRED',
    'READY',
    'AT ZERO',
    'MIN/MAX',
    'CONSUMER GROUP',
    'LAG',
    'LAST SCALE EVENT',
  ];
  const cells = rows.map((r) => [
    r.name,
    r.scaler,
    String(r.desired),
    String(r.ready),
    r.atZero ? 'yes' : 'no',
    `${r.min ?? '-'}/${r.max ?? '-'}`,
    r.group ?? '-',
    r.lag === undefined ? '-' : String(r.lag),
    r.lastScale ? `${r.lastScale.message} (${ago(r.lastScale.at, now)})` : '-',
  ]);
  return renderTable(header, cells);
}

/** Columns padded to their widest cell, two spaces apart (the last one unpadded). */
export function renderTable(header: string[], cells: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((v, i) => (i === c.length - 1 ? v : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...cells.map(line)].join('\n');
}
