// dist/migrate.js: the cluster's schema migration (the Helm pre-install/pre-upgrade Job). Functions never
// migrate at start: many replicas waking from zero at once would race, and each cold start would pay it.
//
// Two roles: it connects as the owner (MIGRATION_DATABASE_URL) to change the schema, then creates the
// functions' role (the user and password of DATABASE_URL) or updates its password, and grants it DML
// only (functions/core/src/db/app-role.ts). Without MIGRATION_DATABASE_URL, or when both URLs name the
// same role, it migrates with DATABASE_URL and the functions keep the owner's rights: it says so.

import { runMigrate } from './run.ts';

await runMigrate();
