// dist/migrate.js: the cluster's schema migration (the Helm pre-install/pre-upgrade Job). Functions never
// migrate at start: many replicas waking from zero at once would race, and each cold start would pay it.
//
// Two roles: it connects as the owner (MIGRATION_DATABASE_URL) to change the schema, then creates the
// functions' role (the user and password of DATABASE_URL) or updates its password, and grants it DML
// only (functions/core/src/db/app-role.ts). Without MIGRATION_DATABASE_URL, or when both URLs name the
// same role, it migrates with DATABASE_URL and the functions keep the owner's rights: it says so.

import { appRoleOf, grantAppRole } from '@todo/core/db/app-role';
import { connectDatabase } from '@todo/core/db/connect';
import { migrateToLatest } from '@todo/core/db/migrate';
import { createLogger } from '@todo/core/runtime/log';
import type { Kysely } from 'kysely';

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
