import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import * as initial from './migrations/20261123_0001_initial.ts';
import * as eventTransport from './migrations/20261123_0002_event_transport.ts';
import * as recurrenceSeries from './migrations/20261123_0003_recurrence_series.ts';
import * as rateLimits from './migrations/20261202_1000_rate_limits.ts';
import * as sessions from './migrations/20261202_1100_sessions.ts';
import * as deadLetters from './migrations/20261202_1200_dead_letters.ts';
import * as calendarFeeds from './migrations/20261202_1400_calendar_feeds.ts';
import * as receiptLease from './migrations/20261202_1500_receipt_lease.ts';
import * as dropJobAppId from './migrations/20261202_1600_drop_job_app_id.ts';
import * as projects from './migrations/20261202_1700_projects.ts';
import * as subtasks from './migrations/20261202_1800_subtasks.ts';
import * as sharing from './migrations/20261202_1900_sharing.ts';
import * as projectShared from './migrations/20261202_2000_project_shared.ts';
import * as assignees from './migrations/20261202_2100_assignees.ts';

/**
 * Migrations are bundled into each function, so they are listed here rather than read from disk; the key
 * is the file name. Names are dated (`YYYYMMDD_HHMM_what`, Kysely's convention), so two branches that
 * each add one cannot pick the same name, and the date order is the order they run in
 * (migrate.test.ts checks both).
 */
export const migrations: Record<string, Migration> = {
  '20261123_0001_initial': initial,
  '20261123_0002_event_transport': eventTransport,
  '20261123_0003_recurrence_series': recurrenceSeries,
  '20261202_1000_rate_limits': rateLimits,
  '20261202_1100_sessions': sessions,
  '20261202_1200_dead_letters': deadLetters,
  '20261202_1400_calendar_feeds': calendarFeeds,
  '20261202_1500_receipt_lease': receiptLease,
  '20261202_1600_drop_job_app_id': dropJobAppId,
  '20261202_1700_projects': projects,
  '20261202_1800_subtasks': subtasks,
  '20261202_1900_sharing': sharing,
  '20261202_2000_project_shared': projectShared,
  '20261202_2100_assignees': assignees,
};

/** The numbered names migrations had before they were dated: a database migrated then is renamed in place. */
const FORMER_NAMES: Record<string, string> = {
  '0001_initial': '20261123_0001_initial',
  '0002_event_transport': '20261123_0002_event_transport',
  '0003_recurrence_series': '20261123_0003_recurrence_series',
  '0004_rate_limits': '20261202_1000_rate_limits',
  '0005_sessions': '20261202_1100_sessions',
  '0006_dead_letters': '20261202_1200_dead_letters',
};

/** Renames rows of Kysely's bookkeeping table that still carry a former name (a no-op on a new database). */
async function adoptFormerNames(db: Kysely<unknown>): Promise<void> {
  const { rows } = await sql<{
    exists: boolean;
  }>`select to_regclass('kysely_migration') is not null as exists`.execute(db);
  if (!rows[0]?.exists) return;
  for (const [former, current] of Object.entries(FORMER_NAMES)) {
    await sql`update kysely_migration set name = ${current} where name = ${former}`.execute(db);
  }
}

const provider: MigrationProvider = { getMigrations: async () => migrations };

export function createMigrator(db: Kysely<unknown>): Migrator {
  return new Migrator({ db, provider });
}

/** Brings the schema to the newest version; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
  await adoptFormerNames(db);
  const { error, results } = await createMigrator(db).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`Migration ${failed} failed: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export async function migrateDownAll(db: Kysely<unknown>): Promise<void> {
  const migrator = createMigrator(db);
  for (;;) {
    const { error, results } = await migrator.migrateDown();
    if (error) throw error;
    if (!results?.length) return;
  }
}
