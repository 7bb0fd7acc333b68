import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dropDatabase, ensureDatabase } from './admin.ts';
import { connectDatabase } from './connect.ts';
import { createMigrator, migrateDownAll, migrateToLatest } from './migrate.ts';

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
