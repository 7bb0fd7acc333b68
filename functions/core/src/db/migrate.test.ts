import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { type Kysely, sql } from 'kysely';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dropDatabase, ensureDatabase } from './admin.ts';
import { connectDatabase } from './connect.ts';
import { createMigrator, migrateDownAll, migrateToLatest, migrations } from './migrate.ts';

const name = `m_${randomBytes(5).toString('hex')}`;
afterAll(() => dropDatabase(inject('adminDatabaseUrl'), name));

const tables = async (db: Kysely<unknown>) =>
  (
    await sql<{
      tablename: string;
    }>`select tablename from pg_tables where schemaname = 'public' and tablename not like 'kysely_%' order by 1`.execute(
      db,
    )
  ).rows.map((r) => r.tablename);

describe('migrations', () => {
  it('go all the way up, all the way down, and up again', async () => {
    const handle = connectDatabase(await ensureDatabase(inject('adminDatabaseUrl'), name));
    const db = handle.db as Kysely<unknown>;
    try {
      await migrateToLatest(db);
      const up = await tables(db);
      expect(up).toEqual(
        expect.arrayContaining([
          'users',
          'tasks',
          'tags',
          'task_tags',
          'outbox',
          'processed_events',
          'notifications',
          'audit_log',
        ]),
      );
      await migrateDownAll(db);
      expect(await tables(db)).toEqual([]);
      await migrateToLatest(db);
      expect(await tables(db)).toEqual(up);
      const pending = (await createMigrator(db).getMigrations()).filter((m) => !m.executedAt);
      expect(pending).toEqual([]);
    } finally {
      await handle.close();
    }
  });
});

describe('migration names', () => {
  it('are dated, unique, listed exactly as the files in migrations/, and run in date order', () => {
    const files = readdirSync(new URL('./migrations/', import.meta.url))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.replace(/\.ts$/, ''))
      .sort();
    expect(Object.keys(migrations)).toEqual(files);
    for (const name of files) expect(name).toMatch(/^\d{8}_\d{4}_[a-z0-9_]+$/);
  });

  it('a database migrated under the former numbered names is adopted, not migrated again', async () => {
    const formerName = `mf_${randomBytes(5).toString('hex')}`;
    const handle = connectDatabase(await ensureDatabase(inject('adminDatabaseUrl'), formerName));
    const db = handle.db as Kysely<unknown>;
    try {
      await migrateToLatest(db);
      await sql`update kysely_migration set name = '0001_initial' where name = '20261123_0001_initial'`.execute(
        db,
      );
      await sql`update kysely_migration set name = '0006_dead_letters' where name = '20261202_1200_dead_letters'`.execute(
        db,
      );
      await migrateToLatest(db);
      const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(
        db,
      );
      expect(rows.map((r) => r.name)).toEqual(Object.keys(migrations));
    } finally {
      await handle.close();
      await dropDatabase(inject('adminDatabaseUrl'), formerName);
    }
  });
});
