// `todo-platform dlq` against a real Kafka broker (platform/engines startKafka): dead-letter topics with
// their counts, and replay back to the source topic that remembers how far it got.
import { type Admin, Kafka, type KafkaMessage, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../functions/catalog.ts';
import { daprSubscriptions } from '../derive/dapr-subscriptions.ts';
import { type RunningKafka, startKafka } from '../engines/kafka.ts';
import { catalogDeadLetters, dlqCommand, parseDeadLetterTopic, replayKey } from './dlq.ts';
import { PlatformError } from './kube.ts';

describe('dead-letter topics', () => {
  it('are the catalog Subscriptions’ deadLetterTopics, read back into source topic and function', () => {
    expect(
      catalogDeadLetters()
        .map((d) => d.topic)
        .sort(),
    ).toEqual(
      daprSubscriptions(catalog)
        .map((s) => s.spec.deadLetterTopic)
        .sort(),
    );
    expect(parseDeadLetterTopic('task-events.dlq.audit')).toEqual({
      topic: 'task-events.dlq.audit',
      source: 'task-events',
      function: 'audit',
    });
    for (const notOne of ['task-events', '.dlq.audit', 'task-events.dlq.', 'task-events.dlq'])
      expect(parseDeadLetterTopic(notOne), notOne).toBeUndefined();
  });

  it('replay with the message key, or else the CloudEvent’s partition key, so a task’s events stay in order', () => {
    const value = (o: object) => Buffer.from(JSON.stringify(o));
    expect(replayKey({ key: Buffer.from('k'), value: value({ subject: 's' }) })).toEqual(Buffer.from('k'));
    expect(replayKey({ key: null, value: value({ subject: 'task-1' }) })).toBe('task-1');
    expect(replayKey({ key: null, value: value({ subject: 'task-1', partitionkey: 'p' }) })).toBe('p');
    expect(replayKey({ key: null, value: Buffer.from('not json') })).toBeNull();
    expect(replayKey({ key: null, value: null })).toBeNull();
  });
});

describe('dlq on a real Kafka broker', () => {
  const DLQ = 'task-events.dlq.audit';
  let kafka: RunningKafka;
  let client: Kafka;
  let admin: Admin;
  const event = (id: number, subject: string) => ({
    specversion: '1.0',
    id: `evt-${id}`,
    type: 'TaskCompleted.v1',
    source: 'test',
    subject,
    data: { n: id },
  });
  /** Dead-letters an event as daprd does: the CloudEvent as the value, no key. */
  async function deadLetter(e: object) {
    const producer = client.producer();
    await producer.connect();
    await producer.send({
      topic: DLQ,
      messages: [{ value: JSON.stringify(e), headers: { 'dapr-test': 'kept' } }],
    });
    await producer.disconnect();
  }
  const lines: string[] = [];
  const dlq = async (...args: string[]) => {
    lines.length = 0;
    const code = await dlqCommand([...args, '--brokers', kafka.brokers], (l) => lines.push(...l.split('\n')));
    return { code, out: lines.join('\n') };
  };
  const row = (topic: string) => lines.find((l) => l.startsWith(`${topic} `))?.split(/\s{2,}/);

  /** Every message on the topic, read by a fresh group from the start. */
  async function readAll(topic: string, count: number): Promise<(KafkaMessage & { partition: number })[]> {
    const consumer = client.consumer({ groupId: `read-${Date.now()}-${Math.random()}` });
    const got: (KafkaMessage & { partition: number })[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`read ${got.length} of ${count} from ${topic}`)),
        30_000,
      );
      consumer
        .run({
          eachMessage: async ({ partition, message }) => {
            got.push({ ...message, partition });
            if (got.length >= count) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    await consumer.disconnect();
    return got;
  }

  beforeAll(async () => {
    // A cold cache fetches Kafka from Maven Central first (platform/engines/get-kafka.sh).
    kafka = await startKafka({ partitions: 3 });
    client = new Kafka({ clientId: 'dlq-test', brokers: [kafka.brokers], logLevel: logLevel.NOTHING });
    admin = client.admin();
    await admin.connect();
    await admin.createTopics({
      topics: [
        { topic: 'task-events', numPartitions: 3 },
        { topic: DLQ, numPartitions: 3 },
      ],
      waitForLeaders: true,
    });
  }, 300_000);
  afterAll(async () => {
    await admin?.disconnect();
    await kafka?.stop();
  });

  it('lists every dead-letter topic with the messages it holds, none replayed yet', async () => {
    await deadLetter(event(1, 'task-a'));
    await deadLetter(event(2, 'task-a'));
    await deadLetter(event(3, 'task-b'));
    const { code } = await dlq('list');
    expect(code).toBe(0);
    expect(lines[0]).toMatch(/^DEAD-LETTER TOPIC\s+FUNCTION\s+SOURCE TOPIC\s+MESSAGES\s+NOT REPLAYED$/);
    expect(row(DLQ)).toEqual([DLQ, 'audit', 'task-events', '3', '3']);
    // A catalog dead-letter topic the broker does not have yet is listed as such.
    expect(row('reminders.dlq.notify')).toEqual([
      'reminders.dlq.notify',
      'notify',
      'reminders',
      'no topic',
      '-',
    ]);
    expect(lines).toHaveLength(1 + catalogDeadLetters().length);
  });

  it('replays them to the source topic, keyed by task, headers kept, and remembers it did', async () => {
    const { code, out } = await dlq('replay', DLQ);
    expect(code).toBe(0);
    expect(out).toMatch(/replayed 3 message\(s\) to task-events/);
    const replayed = await readAll('task-events', 3);
    expect(replayed.map((m) => JSON.parse(m.value!.toString()).id).sort()).toEqual([
      'evt-1',
      'evt-2',
      'evt-3',
    ]);
    expect(replayed.map((m) => m.key?.toString()).sort()).toEqual(['task-a', 'task-a', 'task-b']);
    expect(replayed.every((m) => m.headers?.['dapr-test']?.toString() === 'kept')).toBe(true);
    const a = replayed.filter((m) => m.key?.toString() === 'task-a');
    expect(a[0]!.partition).toBe(a[1]!.partition);

    await dlq('list');
    expect(row(DLQ)).toEqual([DLQ, 'audit', 'task-events', '3', '0']);
    expect((await dlq('replay', DLQ)).out).toMatch(/nothing to replay/);
  });

  it('replays only what was dead-lettered since the last replay', async () => {
    await deadLetter(event(4, 'task-c'));
    await dlq('list');
    expect(row(DLQ)).toEqual([DLQ, 'audit', 'task-events', '4', '1']);
    expect((await dlq('replay', DLQ)).out).toMatch(/replayed 1 message\(s\)/);
    const all = await readAll('task-events', 4);
    expect(all.map((m) => JSON.parse(m.value!.toString()).id).sort()).toEqual([
      'evt-1',
      'evt-2',
      'evt-3',
      'evt-4',
    ]);
  });

  it('refuses what is not a dead-letter topic or not on the broker, and prints its usage for a bad command', async () => {
    await expect(dlq('replay', 'task-events')).rejects.toThrow(PlatformError);
    await expect(dlq('replay', 'task-events')).rejects.toThrow(/not a dead-letter topic/);
    await expect(dlq('replay', 'reminders.dlq.notify')).rejects.toThrow(
      /reminders.dlq.notify does not exist/,
    );
    expect((await dlq('purge')).code).toBe(2);
    expect(lines.join('\n')).toMatch(/^Usage: .* dlq \[list\] \| dlq replay/);
  });
});
