// todo-platform up | status | down — the Minikube path from the README, as one command each.
import { parseArgs } from 'node:util';
import { dlqCommand } from './dlq.ts';
import { gitSha } from './git.ts';
import { buildImages } from './images.ts';
import { directKafka, type KafkaAccess, portForwardedKafka } from './kafka-access.ts';
import { connect, ensureReachable, PlatformError } from './kube.ts';
import { downLocal, localClusterInfo, upLocal } from './local-target.ts';
import { collectStatus, renderStatus } from './status.ts';
import { down, up } from './up.ts';

const USAGE = `Usage: npm run platform -- <command> [options]   (or: npx todo-platform <command>)

Commands:
  images  build every image (functions, migrate, web) inside minikube, tagged with the git SHA
  up      install or verify Dapr, KEDA + HTTP add-on, Kafka, Postgres, then apply components,
          functions and web (platform/k8s), waiting for each to be ready
  status  one row per function: replicas wanted/ready, at zero, KEDA bounds, consumer lag, last scale event
  down    delete the app and its Kafka/Postgres (namespace todo-app); --all also uninstalls Dapr and KEDA
  dlq     list the dead-letter topics, or replay one to its source topic; dlq outbox: the events the
          outbox relay gave up on (Postgres), listed or moved back into the outbox (dlq --help)
  cluster start the local process cluster on this machine (a real control plane, KEDA, our node agent;
          Kafka, Postgres and the Dapr Scheduler beside it) and keep it running until Ctrl-C

Options:
  --target <t>       minikube (default: images in minikube, platform/k8s layers) or local (the chart
                     into the cluster started by \`cluster\`; needs KUBECONFIG from its output)
  --namespace <ns>   the app's namespace (default todo-app)
  --tag <tag>        image tag to deploy (default: the git SHA of HEAD)
  --brokers <list>   status: Kafka bootstrap servers to read lag from (default: port-forward svc/kafka);
                     SASL from KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD / KAFKA_SASL_MECHANISM, KAFKA_TLS=true
  --timeout <s>      up: how long to wait for each step (default 600)
  --build            up: build the images first (same as running images)
  --all              down: also uninstall Dapr, KEDA and the HTTP add-on`;

export async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      namespace: { type: 'string', default: 'todo-app' },
      target: { type: 'string', default: 'minikube' },
      tag: { type: 'string' },
      brokers: { type: 'string' },
      // dlq's own (dlq.ts, outbox-dead-letters.ts), declared so this first parse accepts them.
      'database-url': { type: 'string' },
      limit: { type: 'string' },
      timeout: { type: 'string', default: '600' },
      all: { type: 'boolean', default: false },
      build: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const command = positionals[0];
  // dlq has its own subcommands and options (platform/cli/dlq.ts).
  if (command === 'dlq') return dlqCommand(argv.slice(argv.indexOf('dlq') + 1));
  if (values.help || !command || !['images', 'up', 'status', 'down', 'cluster'].includes(command)) {
    console.log(USAGE);
    return command && !values.help ? 2 : 0;
  }
  if (!['minikube', 'local'].includes(values.target))
    throw new PlatformError(`--target must be minikube or local, not ${values.target}`);
  const local = values.target === 'local';
  const log = (line: string) => console.log(line);
  if (command === 'cluster') return runLocalCluster(log);
  const tag = values.tag ?? gitSha();
  if (!local && (command === 'images' || (command === 'up' && values.build))) {
    await buildImages({ tag, log });
    if (command === 'images') return 0;
  }
  const kube = connect();
  if (command === 'up') {
    const timeoutS = Number(values.timeout);
    if (!Number.isFinite(timeoutS) || timeoutS <= 0)
      throw new PlatformError('--timeout must be a positive number of seconds');
    if (local) await upLocal(kube, { namespace: values.namespace, tag, timeoutMs: timeoutS * 1000, log });
    else await up(kube, { tag, timeoutMs: timeoutS * 1000, log });
    return 0;
  }
  if (command === 'down') {
    if (local) await downLocal(kube, { namespace: values.namespace, log });
    else await down(kube, { all: values.all, log });
    return 0;
  }
  await ensureReachable(kube);
  const brokers = values.brokers ?? (local ? (await localClusterInfo(kube)).brokers : undefined);
  const kafka: KafkaAccess = brokers
    ? await directKafka(brokers.split(','))
    : await portForwardedKafka(values.namespace);
  try {
    console.log(renderStatus(await collectStatus(kube, values.namespace, kafka.readLag)));
  } finally {
    await kafka.close();
  }
  return 0;
}

/** `cluster`: runs the local process cluster in the foreground; Ctrl-C stops every process of it. */
async function runLocalCluster(log: (line: string) => void): Promise<number> {
  const { startLocalCluster } = await import('../local-cluster/start.ts');
  log(
    'Starting the local cluster (the first run builds the control plane from the Go module proxy: ≈30 min)…',
  );
  const cluster = await startLocalCluster({ log });
  log(
    `\nReady. In another shell:\n  export KUBECONFIG=${cluster.kubeconfig}\n  npm run platform -- up --target local\n  npm run platform -- status --target local\n  kubectl get pods -A\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log('Stopping…');
  await cluster.stop();
  return 0;
}

export async function run(argv: string[]): Promise<void> {
  try {
    process.exitCode = await main(argv);
  } catch (e) {
    if (e instanceof PlatformError) {
      console.error(`todo-platform: ${e.message}`);
      process.exitCode = 1;
      return;
    }
    throw e;
  }
}
