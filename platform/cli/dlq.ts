// `todo-platform dlq`: the dead-letter topics. Every Subscription sends what its function could not
// handle (a DROP at once, a RETRY once the Resiliency retries run out) to <topic>.dlq.<function>
// (platform/derive/dapr-subscriptions.ts). `dlq` lists them with what they hold; `dlq replay` publishes
// a dead-letter topic's messages back to its source topic once the cause is fixed. Replay goes through
// the source topic, so the function's fellow subscribers see those events again too: every consumer is
// idempotent (processed-events table or natural keys), so for them it is a duplicate that changes nothing.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Admin, KafkaMessage } from 'kafkajs';
import { parse } from 'yaml';
import { deadLetterTopic } from '../derive/dapr-subscriptions.ts';
import { directKafka, type KafkaAccess, portForwardedKafka } from './kafka-access.ts';
import { PlatformError } from './kube.ts';
import { consumerLag } from './lag.ts';
import { outboxDlqCommand } from './outbox-dead-letters.ts';
import { renderTable } from './status.ts';

const repoRoot = new URL('../../', import.meta.url).pathname;
const SECOND = 1000;

export const DLQ_USAGE = `Usage: npm run platform -- dlq [list] | dlq replay <dead-letter topic>   [options]
       npm run platform -- dlq outbox [list] | dlq outbox replay <id>… | --all   (dlq outbox --help)

  list     every dead-letter topic (<topic>.dlq.<function>): the messages it holds, and how many of
           them were never replayed
  replay   publish the messages of one dead-letter topic that were not replayed before back to its
           source topic (key, value and headers as they were), and remember how far it got (consumer
           group todo-platform.dlq-replay.<dead-letter topic>); run it again after new failures
  outbox   the events the outbox relay gave up publishing (Postgres table dead_letters): list them, or
           move them back into the outbox

Options:
  --namespace <ns>   the app's namespace, for the port-forward to svc/kafka (default todo-app)
  --brokers <list>   Kafka bootstrap servers instead of the port-forward; SASL from KAFKA_SASL_USERNAME /
                     KAFKA_SASL_PASSWORD / KAFKA_SASL_MECHANISM, KAFKA_TLS=true`;

export interface DeadLetter {
  topic: string;
  /** The topic its messages came from, where replay sends them. */
  source: string;
  function: string;
}

/** The inverse of deadLetterTopic(): `<topic>.dlq.<function>` → its parts. */
export function parseDeadLetterTopic(topic: string): DeadLetter | undefined {
  const at = topic.lastIndexOf('.dlq.');
  if (at <= 0) return undefined;
  const dl = { topic, source: topic.slice(0, at), function: topic.slice(at + '.dlq.'.length) };
  return dl.function && deadLetterTopic(dl.function, dl.source) === topic ? dl : undefined;
}

/** Every Subscription's dead-letter topic, from the chart's catalog projection. */
export function catalogDeadLetters(): DeadLetter[] {
  const data = parse(readFileSync(`${repoRoot}platform/chart/files/deployment.yaml`, 'utf8')) as {
    functions: { name: string; subscriptions: { topic: string }[] }[];
  };
  return data.functions.flatMap((f) =>
    f.subscriptions.map((s) => ({
      topic: deadLetterTopic(f.name, s.topic),
      source: s.topic,
      function: f.name,
    })),
  );
}

/** The consumer group that remembers how far a dead-letter topic has been replayed. */
export const replayGroup = (deadLetter: string) => `todo-platform.dlq-replay.${deadLetter}`;

/**
 * The key a replayed message is published with: its own, or else the one the publisher used (the
 * CloudEvent's partitionkey, or its subject = the task id), so one task's events stay in one partition.
 */
export function replayKey(message: Pick<KafkaMessage, 'key' | 'value'>): Buffer | string | null {
  if (message.key && message.key.length > 0) return message.key;
  try {
    const event = JSON.parse(message.value?.toString() ?? '') as {
      partitionkey?: unknown;
      subject?: unknown;
    };
    const key = event.partitionkey ?? event.subject;
    return typeof key === 'string' && key ? key : null;
  } catch {
    return null;
  }
}

export interface DeadLetterRow extends DeadLetter {
  /** Messages the topic holds now (end − start offsets); undefined when the topic does not exist. */
  messages?: number;
  /** Of those, how many no replay has published yet. */
  pending?: number;
}

/** The catalog's dead-letter topics, and any other `*.dlq.*` topic the broker has (a removed function's). */
export async function listDeadLetters(admin: Admin): Promise<DeadLetterRow[]> {
  const existing = new Set(await admin.listTopics());
  const byTopic = new Map(catalogDeadLetters().map((d) => [d.topic, d]));
  for (const t of existing) {
    const d = parseDeadLetterTopic(t);
    if (d && !byTopic.has(t)) byTopic.set(t, d);
  }
  const rows: DeadLetterRow[] = [];
  for (const d of [...byTopic.values()].sort((a, b) => a.topic.localeCompare(b.topic))) {
    if (!existing.has(d.topic)) {
      rows.push(d);
      continue;
    }
    const offsets = await admin.fetchTopicOffsets(d.topic);
    const messages = offsets.reduce((n, p) => n + Number(p.high) - Number(p.low), 0);
    const { lag } = await consumerLag(admin, replayGroup(d.topic), [d.topic]);
    rows.push({ ...d, messages, pending: lag });
  }
  return rows;
}

export function renderDeadLetters(rows: DeadLetterRow[]): string {
  return renderTable(
    ['DEAD-LETTER TOPIC', 'FUNCTION', 'SOURCE TOPIC', 'MESSAGES', 'NOT REPLAYED'],
    rows.map((r) => [
      r.topic,
      r.function,
      r.source,
      r.messages === undefined ? 'no topic' : String(r.messages),
      r.pending === undefined ? '-' : String(r.pending),
    ]),
  );
}

/**
 * Publishes every message of `deadLetter` that no earlier replay published, up to the end it has now,
 * back to its source topic, committing each one in the replay group once it is sent (at least once: a
 * message sent just before an interruption is sent again next time, which the consumers absorb).
 * Returns how many it published.
 */
export async function replayDeadLetter(
  access: Pick<KafkaAccess, 'kafka' | 'admin'>,
  topic: string,
  opts: { timeoutMs?: number; log?: (line: string) => void } = {},
): Promise<number> {
  const dl = parseDeadLetterTopic(topic);
  if (!dl) throw new PlatformError(`${topic} is not a dead-letter topic (<topic>.dlq.<function>)`);
  const existing = new Set(await access.admin.listTopics());
  for (const t of [dl.topic, dl.source])
    if (!existing.has(t)) throw new PlatformError(`topic ${t} does not exist on this broker`);
  const group = replayGroup(dl.topic);
  // Per partition, from the last replayed offset (or the start) to the end it has now; messages
  // dead-lettered meanwhile wait for the next run.
  const [committed] = await access.admin.fetchOffsets({ groupId: group, topics: [dl.topic] });
  const ends = new Map<number, number>();
  let pending = 0;
  for (const p of await access.admin.fetchTopicOffsets(dl.topic)) {
    const done = Number(committed?.partitions.find((c) => c.partition === p.partition)?.offset ?? -1);
    const from = Math.max(done, Number(p.low));
    if (from >= Number(p.high)) continue;
    ends.set(p.partition, Number(p.high));
    pending += Number(p.high) - from;
  }
  if (pending === 0) {
    opts.log?.(`${dl.topic}: nothing to replay`);
    return 0;
  }
  opts.log?.(`${dl.topic}: replaying ${pending} message(s) to ${dl.source}`);

  const producer = access.kafka.producer({ allowAutoTopicCreation: false });
  const consumer = access.kafka.consumer({ groupId: group, allowAutoTopicCreation: false });
  let sent = 0;
  let timer: NodeJS.Timeout | undefined;
  try {
    await producer.connect();
    await consumer.connect();
    await consumer.subscribe({ topic: dl.topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(
        () => reject(new PlatformError(`${dl.topic}: replayed ${sent} of ${pending} before timing out`)),
        opts.timeoutMs ?? 120 * SECOND,
      );
      const left = new Set(ends.keys());
      consumer
        .run({
          autoCommit: false,
          eachMessage: async ({ partition, message }) => {
            const end = ends.get(partition);
            const offset = Number(message.offset);
            if (end === undefined || offset >= end) return;
            await producer.send({
              topic: dl.source,
              messages: [{ key: replayKey(message), value: message.value, headers: message.headers }],
            });
            await consumer.commitOffsets([{ topic: dl.topic, partition, offset: String(offset + 1) }]);
            sent++;
            if (offset + 1 >= end) left.delete(partition);
            if (left.size === 0) resolve();
          },
        })
        .catch(reject);
    });
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => {});
    await producer.disconnect().catch(() => {});
  }
  opts.log?.(`${dl.topic}: replayed ${sent} message(s) to ${dl.source}`);
  return sent;
}

/**
 * `todo-platform dlq …`: `args` are the words after `dlq` (`[]`, `['list']`, `['replay', topic]`, with
 * `--brokers` / `--namespace`; or `['outbox', …]`, outbox-dead-letters.ts). Returns the exit code; user errors throw PlatformError.
 */
export async function dlqCommand(args: string[], log: (line: string) => void = console.log): Promise<number> {
  // The outbox's dead letters live in Postgres, not Kafka: their own words and options.
  if (args[0] === 'outbox') return outboxDlqCommand(args.slice(1), log);
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      namespace: { type: 'string', default: 'todo-app' },
      brokers: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const [command = 'list', topic, ...extra] = positionals;
  const valid = (command === 'list' && !topic) || (command === 'replay' && topic);
  if (values.help || !valid || extra.length > 0) {
    log(DLQ_USAGE);
    return values.help ? 0 : 2;
  }
  const access = values.brokers
    ? await directKafka(values.brokers.split(','))
    : await portForwardedKafka(values.namespace);
  try {
    if (command === 'list') log(renderDeadLetters(await listDeadLetters(access.admin)));
    else await replayDeadLetter(access, topic!, { log });
  } finally {
    await access.close();
  }
  return 0;
}
