import { type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import * as initial from './migrations/0001_initial.ts';
import * as eventTransport from './migrations/0002_event_transport.ts';
import * as recurrenceSeries from './migrations/0003_recurrence_series.ts';
import * as rateLimits from './migrations/0004_rate_limits.ts';
import * as sessions from './migrations/0005_sessions.ts';
import * as deadLetters from './migrations/0006_dead_letters.ts';
import * as calendarFeeds from './migrations/20261202_1400_calendar_feeds.ts';

/** Migrations are bundled into each function, so they are listed here rather than read from disk. */
const migrations: Record<string, Migration> = {
  '0001_initial': initial,
  '0002_event_transport': eventTransport,
  '0003_recurrence_series': recurrenceSeries,
  '0004_rate_limits': rateLimits,
  '0005_sessions': sessions,
  '0006_dead_letters': deadLetters,
  '20261202_1400_calendar_feeds': calendarFeeds,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

export function createMigrator(db: Kysely<unknown>): Migrator {
  return new Migrator({ db, provider });
}

/** Brings the schema to the newest version; throws with the failing migration's name. */
export async function migrateToLatest(db: Kysely<unknown>): Promise<void> {
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
