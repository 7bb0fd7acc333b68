// Starts a real single-node Apache Kafka (KRaft) on free 127.0.0.1 ports for tests.
// The broker classpath comes from platform/engines/get-kafka.sh (Maven Central, cached in
// ~/.cache/todo-fn/kafka-<ver>/libs); ensureKafka() runs that script when the cache is missing.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import {
  cacheRoot,
  freePorts,
  makeTempDir,
  removeTempDir,
  runEngineScript,
  startProcess,
  tail,
  version,
  waitUntil,
} from './proc.ts';

const HINT =
  'Kafka comes from platform/engines/get-kafka.sh (needs Java 17 + Maven; run it by hand to see why).';

export interface KafkaOptions {
  /** num.partitions for auto-created topics (default 3). */
  partitions?: number;
  /** Broker start timeout (default 90 s). */
  startTimeoutMs?: number;
  /** JVM max heap in MB (default 512). */
  heapMb?: number;
  /** Extra server.properties lines (key → value), applied last. */
  properties?: Record<string, string | number | boolean>;
  /** Address the broker listens on and advertises (default 127.0.0.1; the cluster tier uses its pod bridge). */
  host?: string;
}

export interface RunningKafka {
  /** "127.0.0.1:<port>" — the bootstrap server for kafkajs / Dapr's pubsub.kafka `brokers`. */
  brokers: string;
  port: number;
  /** Broker log (stdout+stderr of the JVM). */
  logFile: string;
  /** Temp dir with server.properties and log.dirs; removed on stop(). */
  dir: string;
  stop(): Promise<void>;
}

/**
 * The cached Kafka classpath dir (…/kafka-<ver>/libs). Always asks get-kafka.sh, which answers in
 * milliseconds when the cache is complete and fetches from Maven Central otherwise.
 */
export async function ensureKafka(): Promise<string> {
  const libs = join(cacheRoot(), `kafka-${version('KAFKA_VERSION')}`, 'libs');
  const out = await runEngineScript('get-kafka.sh');
  const path = out.split('\n').pop() ?? '';
  if (!existsSync(join(path, '.complete'))) throw new Error(`get-kafka.sh did not produce ${libs}. ${HINT}`);
  return path;
}

function javaBin(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/**
 * A dynamic AppCDS archive of the broker's classes, made by the first broker that stops cleanly and
 * used by every later start: it roughly halves JVM start-up on this busy 2-core machine. Keyed by the
 * real java binary, so a JVM upgrade makes a new one (a stale archive is only a warning anyway).
 */
function cdsArchive(libs: string): string | undefined {
  const java = javaBin();
  const candidates = java.includes('/')
    ? [java]
    : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, java));
  for (const c of candidates) {
    try {
      const real = realpathSync(c);
      const key = `${real}:${statSync(real).mtimeMs}`;
      let h = 0;
      for (const ch of key) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
      return join(dirname(libs), `kafka-cds-${h.toString(16)}.jsa`);
    } catch {
      // not this one
    }
  }
  return undefined;
}

/** A KRaft cluster id: 16 random bytes, base64url without padding (what StorageTool random-uuid prints). */
function clusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function run(cmd: string, args: string[], logFile: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.once('error', (e) => reject(new Error(`could not run ${cmd}: ${e.message}. ${HINT}`)));
    child.once('close', (code) => {
      writeFileSync(logFile, out, { flag: 'a' });
      if (code === 0) resolve();
      else
        reject(
          new Error(`${cmd} ${args.slice(-4).join(' ')} failed (exit ${code}). ${HINT}\n${tail(logFile)}`),
        );
    });
  });
}

const LOG4J2 = `status = warn
appender.out.type = Console
appender.out.name = STDOUT
appender.out.layout.type = PatternLayout
appender.out.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.out.ref = STDOUT
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.apache.name = org.apache.kafka
logger.apache.level = WARN
logger.raft.name = org.apache.kafka.raft
logger.raft.level = WARN
logger.state.name = state.change.logger
logger.state.level = WARN
`;

export async function startKafka(opts: KafkaOptions = {}): Promise<RunningKafka> {
  const libs = await ensureKafka();
  const dir = makeTempDir('kafka');
  const [port, controllerPort] = (await freePorts(2)) as [number, number];
  const host = opts.host ?? '127.0.0.1';
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.voters': `1@127.0.0.1:${controllerPort}`,
    listeners: `PLAINTEXT://${host}:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://${host}:${port}`,
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'log.dirs': join(dir, 'data'),
    'auto.create.topics.enable': true,
    'num.partitions': opts.partitions ?? 3,
    'default.replication.factor': 1,
    'min.insync.replicas': 1,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 5,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    'log.flush.interval.messages': 1_000_000,
    ...opts.properties,
  };
  const serverProps = join(dir, 'server.properties');
  writeFileSync(
    serverProps,
    `${Object.entries(props)
      .map(([k, v]) => `${k}=${v}`)
      .join('\n')}\n`,
  );
  const log4j = join(dir, 'log4j2.properties');
  writeFileSync(log4j, LOG4J2);
  const logFile = join(dir, 'kafka.log');
  // C1 only + serial GC: a test broker needs a quick start more than peak throughput (measured: JVM start
  // roughly halves on this 2-core machine under load).
  const archive = cdsArchive(libs);
  const haveArchive = archive !== undefined && existsSync(archive);
  const dumpTo = archive && !haveArchive ? `${archive}.${process.pid}.${Date.now()}.tmp` : undefined;
  const jvm = [
    '-XX:TieredStopAtLevel=1',
    '-XX:+UseSerialGC',
    ...(haveArchive ? [`-XX:SharedArchiveFile=${archive}`] : []),
    `-Dlog4j2.configurationFile=${log4j}`,
    '-Djava.awt.headless=true',
    '-cp',
    `${libs}/*`,
  ];

  try {
    await run(
      javaBin(),
      [
        ...jvm,
        'kafka.tools.StorageTool',
        'format',
        '-t',
        clusterId(),
        '-c',
        serverProps,
        '--ignore-formatted',
      ],
      logFile,
    );
  } catch (e) {
    throw e instanceof Error ? new Error(`${e.message}\n(kept ${dir} for inspection)`) : e;
  }

  const proc = startProcess({
    name: 'kafka',
    command: javaBin(),
    args: [
      `-Xmx${opts.heapMb ?? 512}m`,
      '-Xms128m',
      ...(dumpTo ? [`-XX:ArchiveClassesAtExit=${dumpTo}`] : []),
      ...jvm,
      'kafka.Kafka',
      serverProps,
    ],
    logFile,
    hint: HINT,
  });
  const brokers = `${host}:${port}`;
  const kafka = new Kafka({
    clientId: 'engines-probe',
    brokers: [brokers],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 1000,
  });
  try {
    // Ready = the broker accepts a kafkajs admin connection and its group coordinator answers (this also
    // creates __consumer_offsets, so the first consumer group does not stall on it).
    await waitUntil(
      proc,
      `broker ${brokers}`,
      opts.startTimeoutMs ?? 90_000,
      async () => {
        const admin = kafka.admin();
        try {
          await admin.connect();
          await admin.describeCluster();
          await admin.describeGroups(['engines-ready-probe']);
          return true;
        } finally {
          await admin.disconnect().catch(() => {});
        }
      },
      HINT,
    );
  } catch (e) {
    if (dumpTo) rmSync(dumpTo, { force: true });
    throw e instanceof Error ? new Error(`${e.message}\n(kept ${dir} for inspection)`) : e;
  }

  let stopped: Promise<void> | undefined;
  return {
    brokers,
    port,
    logFile,
    dir,
    stop() {
      // The archiving run writes its CDS archive while exiting: give it time, then publish atomically.
      stopped ??= proc.stop(dumpTo ? 30_000 : 10_000).then(() => {
        // Only a JVM that exited by itself (not SIGKILLed mid-write) leaves a whole archive.
        if (dumpTo && archive && existsSync(dumpTo) && proc.child.signalCode !== 'SIGKILL') {
          try {
            renameSync(dumpTo, archive);
          } catch {
            rmSync(dumpTo, { force: true });
          }
        }
        if (dumpTo) rmSync(dumpTo, { force: true });
        removeTempDir(dir);
      });
      return stopped;
    },
  };
}
