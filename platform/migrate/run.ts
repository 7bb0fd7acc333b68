// The migration Job's work, run by main.ts (dist/migrate.js) and by the migrate image's start-up snapshot.
// What it does and why: main.ts.

import { appRoleOf, grantAppRole } from '@todo/core/db/app-role';
import { connectDatabase } from '@todo/core/db/connect';
import { migrateToLatest } from '@todo/core/db/migrate';
import { createLogger } from '@todo/core/runtime/log';
import type { Kysely } from 'kysely';

/** The migration Job's work: exits 78 without a database URL, sets exitCode 1 when a step fails. */
export async function runMigrate(): Promise<void> {
  const log = createLogger('info', { fn: 'migrate' });
  const appUrl = process.env.DATABASE_URL || undefined;
  const url = process.env.MIGRATION_DATABASE_URL || appUrl;
  if (!url) {
    process.stderr.write(
      'migrate: DATABASE_URL is required (and MIGRATION_DATABASE_URL, the owner role, for a DML-only app role)\n',
    );
    process.exit(78); // EX_CONFIG
  }
  const database = connectDatabase(url, 1);
  try {
    const db = database.db as Kysely<unknown>;
    await migrateToLatest(db);
    log.info('schema up to date');
    const role = appRoleOf(appUrl, url);
    if (role) {
      const { created, warnings } = await grantAppRole(db, role);
      log.info(created ? 'app role created with DML grants' : 'app role grants up to date', {
        role: role.name,
      });
      for (const w of warnings) log.warn(w);
    } else {
      log.warn(
        'one role: the functions connect as the role that owns the schema (set MIGRATION_DATABASE_URL to an owner role and DATABASE_URL to another role for DML-only functions)',
      );
    }
  } catch (e) {
    log.error('migration failed', { error: e });
    process.exitCode = 1;
  } finally {
    await database.close();
  }
}
