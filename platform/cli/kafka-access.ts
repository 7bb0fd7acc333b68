// How `status` and `dlq` reach Kafka: the brokers given (cloud: with SASL from the environment), or, on
// Minikube, a `kubectl port-forward` to svc/kafka with every broker address mapped onto it (the broker
// advertises kafka:9092, which only resolves inside the cluster).
import { type ChildProcess, spawn } from 'node:child_process';
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { type Admin, Kafka, type KafkaConfig, logLevel, type SASLOptions } from 'kafkajs';
import { PlatformError } from './kube.ts';
import { consumerLag } from './lag.ts';
import type { LagReader } from './status.ts';

export interface KafkaAccess {
  /** A client for the brokers: producers and consumers made from it reach them the same way the admin does. */
  kafka: Kafka;
  /** Connected. */
  admin: Admin;
  readLag: LagReader;
  close(): Promise<void>;
}

async function connectKafka(config: KafkaConfig): Promise<{ kafka: Kafka; admin: Admin }> {
  const kafka = new Kafka({
    clientId: 'todo-platform',
    logLevel: logLevel.NOTHING,
    retry: { retries: 1 },
    ...config,
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
  } catch (e) {
    throw new PlatformError(`Could not reach Kafka at ${String(config.brokers)}: ${(e as Error).message}`);
  }
  return { kafka, admin };
}

export function lagReaderFor(admin: Admin): LagReader {
  return async (group, topics) => (await consumerLag(admin, group, topics)).lag;
}

/** SASL/TLS from KAFKA_SASL_USERNAME / KAFKA_SASL_PASSWORD / KAFKA_SASL_MECHANISM / KAFKA_TLS. */
function authFromEnv(env = process.env): Pick<KafkaConfig, 'sasl' | 'ssl'> {
  const ssl = env.KAFKA_TLS === 'true' || env.KAFKA_TLS === '1';
  if (!env.KAFKA_SASL_USERNAME) return { ssl };
  const mechanism = (env.KAFKA_SASL_MECHANISM ?? 'scram-sha-512') as
    | 'plain'
    | 'scram-sha-256'
    | 'scram-sha-512';
  const sasl = {
    mechanism,
    username: env.KAFKA_SASL_USERNAME,
    password: env.KAFKA_SASL_PASSWORD ?? '',
  } as SASLOptions;
  return { ssl, sasl };
}

export async function directKafka(brokers: string[]): Promise<KafkaAccess> {
  const { kafka, admin } = await connectKafka({ brokers, ...authFromEnv() });
  return { kafka, admin, readLag: lagReaderFor(admin), close: () => admin.disconnect() };
}

export async function portForwardedKafka(namespace: string): Promise<KafkaAccess> {
  const child: ChildProcess = spawn('kubectl', ['-n', namespace, 'port-forward', 'svc/kafka', ':9092'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let err = '';
    const timer = setTimeout(
      () => reject(new PlatformError(`kubectl port-forward svc/kafka did not start: ${err}`)),
      15_000,
    );
    child.stdout?.on('data', (d: Buffer) => {
      const m = /127\.0\.0\.1:(\d+)/.exec(d.toString());
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.once('error', (e) => reject(new PlatformError(`could not run kubectl port-forward: ${e.message}`)));
    child.once('exit', (code) =>
      reject(new PlatformError(`kubectl port-forward svc/kafka exited (${code}): ${err}`)),
    );
  });
  const { kafka, admin } = await connectKafka({
    brokers: [`127.0.0.1:${port}`],
    // Every advertised broker (kafka:9092) is the one forwarded port.
    socketFactory: ({ ssl, onConnect }) =>
      ssl
        ? tlsConnect({ host: '127.0.0.1', port }, onConnect)
        : tcpConnect({ host: '127.0.0.1', port }, onConnect),
  });
  return {
    kafka,
    admin,
    readLag: lagReaderFor(admin),
    async close() {
      await admin.disconnect();
      child.kill();
    },
  };
}
