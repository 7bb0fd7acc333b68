// dist/migrate.js: the cluster's schema migration (the Helm pre-install/pre-upgrade Job). Functions never
// migrate at start: many replicas waking from zero at once would race, and each cold start would pay it.
import type { Kysely } from 'kysely';
import { connectDatabase } from '../../functions/core/src/db/connect.ts';
import { migrateToLatest } from '../../functions/core/src/db/migrate.ts';
import { createLogger } from '../../functions/core/src/log.ts';

const log = createLogger('info', { fn: 'migrate' });
const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write('migrate: DATABASE_URL is required\n');
  process.exit(78); // EX_CONFIG
}
const database = connectDatabase(url, 1);
try {
  await migrateToLatest(database.db as Kysely<unknown>);
  log.info('schema up to date');
} catch (e) {
  log.error('migration failed', { error: e });
  process.exitCode = 1;
} finally {
  await database.close();
}
