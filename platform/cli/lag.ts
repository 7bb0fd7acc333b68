// Kafka consumer lag per group, computed the way KEDA's Kafka scaler does with
// offsetResetPolicy: earliest — a partition the group never committed counts from its first offset.
import type { Admin } from 'kafkajs';

export interface GroupLag {
  group: string;
  /** Sum over the topics' partitions of (end offset − committed offset). */
  lag: number;
  perTopic: Record<string, number>;
}

export async function consumerLag(admin: Admin, group: string, topics: string[]): Promise<GroupLag> {
  const perTopic: Record<string, number> = {};
  const existing = new Set(await admin.listTopics());
  const present = topics.filter((t) => existing.has(t));
  for (const t of topics) if (!existing.has(t)) perTopic[t] = 0;
  if (present.length === 0) return { group, lag: 0, perTopic };
  const committed = await admin.fetchOffsets({ groupId: group, topics: present });
  for (const { topic, partitions } of committed) {
    const ends = await admin.fetchTopicOffsets(topic);
    let lag = 0;
    for (const end of ends) {
      const done = partitions.find((p) => p.partition === end.partition)?.offset ?? '-1';
      const from = Number(done) >= 0 ? Number(done) : Number(end.low);
      lag += Math.max(0, Number(end.high) - from);
    }
    perTopic[topic] = lag;
  }
  return { group, lag: Object.values(perTopic).reduce((a, b) => a + b, 0), perTopic };
}
