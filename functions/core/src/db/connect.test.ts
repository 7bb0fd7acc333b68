import { sql } from 'kysely';
import { describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../runtime/config.ts';
import { connectDatabase } from './connect.ts';

describe('connectDatabase', () => {
  it('has Postgres cancel a statement that runs past statementTimeoutMs (default 15 s from config)', async () => {
    expect(loadConfig({}).DATABASE_STATEMENT_TIMEOUT_MS).toBe(15_000);
    const handle = connectDatabase(inject('adminDatabaseUrl'), 1, { statementTimeoutMs: 200 });
    try {
      await expect(sql`select pg_sleep(2)`.execute(handle.db)).rejects.toThrow(/statement timeout/);
      expect((await sql<{ one: number }>`select 1 as one`.execute(handle.db)).rows[0]?.one).toBe(1);
    } finally {
      await handle.close();
    }
  });

  it('gives up waiting for a pooled connection after its acquire timeout', async () => {
    const handle = connectDatabase(inject('adminDatabaseUrl'), 1);
    try {
      expect(handle.pool.options.connectionTimeoutMillis).toBe(5000);
    } finally {
      await handle.close();
    }
  });
});
