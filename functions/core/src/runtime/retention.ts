import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import type { Database } from '../db/types.ts';
import type { RecurringJob } from './clock-jobs.ts';
import type { Config } from './config.ts';

/**
 * Retention: the bookkeeping tables grow with every write and every event, so rows past their use are
 * deleted by the clock's recurring `retention-…` job. Each table is trimmed oldest first, in batches of
 * `batchSize` rows (one short statement each, so no long lock and no long transaction), at most
 * `maxBatches` per table per run; whatever is left goes next run. Every batch walks an index on the
 * table's timestamp (migration 0006), never the whole table.
 */

export interface RetentionPolicy {
  /** Age in days after which each table's rows go; 0 keeps them. */
  outboxSentDays: number;
  processedEventsDays: number;
  auditLogDays: number;
  deadLettersDays: number;
  batchSize: number;
  maxBatches: number;
}

export function retentionPolicy(config: Config): RetentionPolicy {
  return {
    outboxSentDays: config.RETENTION_OUTBOX_SENT_DAYS,
    processedEventsDays: config.RETENTION_PROCESSED_EVENTS_DAYS,
    auditLogDays: config.RETENTION_AUDIT_LOG_DAYS,
    deadLettersDays: config.RETENTION_DEAD_LETTERS_DAYS,
    batchSize: config.RETENTION_BATCH_SIZE,
    maxBatches: config.RETENTION_MAX_BATCHES,
  };
}

interface Target {
  table: keyof Database;
  /** The timestamp age is measured by (indexed). */
  column: string;
  /** The columns naming one row. */
  key: string[];
  days: (p: RetentionPolicy) => number;
}

/**
 * What is deleted: delivered outbox rows (unsent ones never: `sent_at < cutoff` excludes null), the
 * consumers' processed-event ids (a redelivery older than this would be handled again; Kafka keeps a
 * topic 7 days by default), audit entries, and dead letters of either source.
 */
const TARGETS = {
  outbox: { table: 'outbox', column: 'sent_at', key: ['id'], days: (p) => p.outboxSentDays },
  processed_events: {
    table: 'processed_events',
    column: 'processed_at',
    key: ['consumer', 'event_id'],
    days: (p) => p.processedEventsDays,
  },
  audit_log: { table: 'audit_log', column: 'recorded_at', key: ['id'], days: (p) => p.auditLogDays },
  dead_letters: { table: 'dead_letters', column: 'dead_at', key: ['id'], days: (p) => p.deadLettersDays },
} satisfies Record<string, Target>;

export type RetentionReport = Record<keyof typeof TARGETS, number>;

/** One batch: the oldest `limit` rows older than `days`, by the key, through the timestamp's index. */
export function retentionBatch(target: Target, days: number, limit: number) {
  const key = sql.join(target.key.map((k) => sql.ref(k)));
  const table = sql.table(target.table);
  const column = sql.ref(target.column);
  return sql`
    delete from ${table} where (${key}) in (
      select ${key} from ${table}
      where ${column} < now() - ${days}::float8 * interval '1 day'
      order by ${column}
      limit ${limit})`;
}

/** Deletes what the policy says is old; returns how many rows went per table. */
export async function runRetention(db: Kysely<Database>, policy: RetentionPolicy): Promise<RetentionReport> {
  const report = {} as RetentionReport;
  for (const [name, target] of Object.entries(TARGETS) as [keyof typeof TARGETS, Target][]) {
    const days = target.days(policy);
    report[name] = 0;
    if (days <= 0) continue;
    for (let batch = 0; batch < policy.maxBatches; batch++) {
      const result = await retentionBatch(target, days, policy.batchSize).execute(db);
      const deleted = Number(result.numAffectedRows ?? 0);
      report[name] += deleted;
      if (deleted < policy.batchSize) break;
    }
  }
  return report;
}

/** The retention job's data: the clock dispatches on its `kind` (clock-jobs.ts ClockJobData). */
export const RetentionJobData = z.strictObject({ kind: z.literal('retention') });
export type RetentionJobData = z.infer<typeof RetentionJobData>;

/** The recurring job that runs runRetention(): `retention-<slot>` every RETENTION_EVERY_MINUTES. */
export function retentionJob(config: Config): RecurringJob {
  return {
    prefix: 'retention-',
    everyMs: config.RETENTION_EVERY_MINUTES * 60_000,
    data: { kind: 'retention' } satisfies RetentionJobData,
  };
}

/** Every recurring job the clock keeps armed (clock-jobs.ts keepRecurringJobsArmed). */
export function clockRecurringJobs(config: Config): RecurringJob[] {
  return [retentionJob(config)];
}
