// The catalog, projected into the plain data the Helm chart renders every per-function object from.
// This is the only place that decides how a catalog entry is deployed (which autoscaler, which Service);
// the chart's templates only spell those decisions out as YAML.
import type { FunctionSpec, SecretName } from '../../functions/catalog.ts';
import { deadLetterTopic } from './dapr-subscriptions.ts';

/** The port every function listens on inside its pod (functions/core config PORT) = Dapr's app-port. */
export const APP_PORT = 3000;
/**
 * The port of each function's in-cluster address. It equals the KEDA HTTP add-on interceptor proxy's
 * port, so the gateway's one template `http://{name}:8080` reaches a function whether `{name}` is a
 * ClusterIP Service (always-on) or an ExternalName pointing at the interceptor (scale-to-zero).
 */
export const SERVICE_PORT = 8080;
/** Partitions per topic on the Minikube broker; replicas beyond it would sit idle. */
export const DEFAULT_PARTITIONS = 6;

/**
 * How a function is run and scaled:
 * - `http-scale-to-zero`: HTTPScaledObject; reached through the interceptor, which holds requests
 *   while a replica starts.
 * - `http-scale-to-zero+events`: the same for HTTP, plus Kafka lag triggers on one ScaledObject.
 * - `events`: ScaledObject on Kafka consumer lag (min from the catalog: 0, or 1 for the clock).
 * - `always-on`: fixed minReplicas (gateway, live connections); an HPA may add up to max.
 */
export type Scaler = 'http-scale-to-zero' | 'http-scale-to-zero+events' | 'events' | 'always-on';

export interface DeployedFunction {
  name: string;
  kind: FunctionSpec['kind'];
  description: string;
  /** Dapr app-id; also the Kafka consumer group (Dapr's default for a component without consumerGroup). */
  appId: string;
  /** Whether its pod gets a daprd sidecar (see usesDapr). */
  dapr: boolean;
  scaler: Scaler;
  minReplicas: number;
  /** maxReplicas capped by the partition count of the topics it reads. */
  maxReplicas: number;
  lagThreshold: number;
  resources: { cpu: string; memory: string };
  subscriptions: { topic: string; route: string }[];
  /** Whether the public ingress path /api reaches this function's Service directly (the gateway). */
  public: boolean;
  /** The secrets its container gets, and no other (the catalog's `secrets`, checked by requiredSecrets). */
  secrets: SecretName[];
}

export interface Deployment {
  functions: DeployedFunction[];
  /** Every topic some function reads, sorted. */
  topics: string[];
  /** Each reader's dead-letter topic (`<topic>.dlq.<function>`), sorted; the topic Job creates these too. */
  deadLetterTopics: string[];
  partitions: number;
  ports: { app: number; service: number };
  /** The app-ids with a daprd: the only ones the Dapr components are scoped to. */
  daprAppIds: string[];
}

/** Consumer lag per replica at which KEDA adds one, when the catalog does not say. */
export const DEFAULT_LAG_THRESHOLD = 10;

export function scalerFor(fn: FunctionSpec): Scaler {
  const reads = fn.subscriptions.length > 0;
  // The gateway is the one address the ingress and the web app talk to.
  if (fn.kind === 'gateway') return 'always-on';
  if (fn.kind === 'http') {
    if (fn.scaling.minReplicas > 0) return 'always-on';
    return reads ? 'http-scale-to-zero+events' : 'http-scale-to-zero';
  }
  // Event and clock functions: lag decides; the clock's minReplicas 1 keeps one replica for Dapr Jobs.
  if (reads) return 'events';
  if (fn.scaling.minReplicas > 0) return 'always-on';
  // Nothing could ever wake it up.
  throw new Error(`${fn.name}: minReplicas 0 but no HTTP routes or subscriptions; give it minReplicas >= 1`);
}

/**
 * Whether a function needs a daprd sidecar: the clock (it publishes the outbox through Dapr pub/sub and
 * owns the Dapr Jobs) and every function with subscriptions (daprd delivers its topics). The others only
 * write to Postgres (the outbox) and schedule jobs through the clock over plain HTTP, so a sidecar would
 * cost memory and a start-up dependency for nothing.
 */
export function usesDapr(fn: FunctionSpec): boolean {
  return fn.kind === 'clock' || fn.subscriptions.length > 0;
}

/**
 * The secrets a function cannot start without, whatever its catalog entry says: the core runners
 * (functions/core/src/runtime/run-function.ts) exit 78 without DATABASE_URL and JWT_SECRET, and the clock and the
 * event functions also without APP_API_TOKEN. The gateway has its own entry and reads none.
 */
export function requiredSecrets(fn: FunctionSpec): SecretName[] {
  if (fn.kind === 'gateway') return [];
  return usesDapr(fn) ? ['DATABASE_URL', 'JWT_SECRET', 'APP_API_TOKEN'] : ['DATABASE_URL', 'JWT_SECRET'];
}

function checkSecrets(fn: FunctionSpec): SecretName[] {
  if (new Set(fn.secrets).size !== fn.secrets.length) throw new Error(`${fn.name}: a secret listed twice`);
  const missing = requiredSecrets(fn).filter((s) => !fn.secrets.includes(s));
  if (missing.length > 0)
    throw new Error(
      `${fn.name}: its container cannot start without ${missing.join(', ')}; add to its secrets`,
    );
  // Only daprd sends the app token: a function without one would hold a secret it never needs.
  if (!usesDapr(fn) && fn.secrets.includes('APP_API_TOKEN'))
    throw new Error(`${fn.name}: APP_API_TOKEN is for the functions with a daprd`);
  return [...fn.secrets];
}

export function deriveDeployment(catalog: FunctionSpec[], partitions = DEFAULT_PARTITIONS): Deployment {
  const seen = new Set<string>();
  const functions = catalog.map((fn): DeployedFunction => {
    if (!/^[a-z]([-a-z0-9]{0,40}[a-z0-9])?$/.test(fn.name))
      throw new Error(`${fn.name}: a function name must be a DNS label (it names Services and the app-id)`);
    if (seen.has(fn.name)) throw new Error(`${fn.name}: listed twice in the catalog`);
    seen.add(fn.name);
    const reads = fn.subscriptions.length > 0;
    return {
      name: fn.name,
      kind: fn.kind,
      description: fn.description,
      appId: fn.name,
      dapr: usesDapr(fn),
      scaler: scalerFor(fn),
      minReplicas: fn.scaling.minReplicas,
      maxReplicas: Math.max(
        fn.scaling.minReplicas,
        reads ? Math.min(fn.scaling.maxReplicas, partitions) : fn.scaling.maxReplicas,
      ),
      lagThreshold: fn.scaling.lagThreshold ?? DEFAULT_LAG_THRESHOLD,
      resources: fn.resources,
      subscriptions: fn.subscriptions.map((s) => ({ topic: s.topic, route: s.route })),
      public: fn.kind === 'gateway',
      secrets: checkSecrets(fn),
    };
  });
  const topics = [...new Set(functions.flatMap((f) => f.subscriptions.map((s) => s.topic)))].sort();
  const deadLetterTopics = functions
    .flatMap((f) => f.subscriptions.map((s) => deadLetterTopic(f.name, s.topic)))
    .sort();
  return {
    functions,
    topics,
    deadLetterTopics,
    partitions,
    ports: { app: APP_PORT, service: SERVICE_PORT },
    daprAppIds: functions.filter((f) => f.dapr).map((f) => f.appId),
  };
}
