import { sql } from 'kysely';
import { describe, expect, inject, it } from 'vitest';
import { loadConfig } from '../runtime/config.ts';
import { connectDatabase, LANE_WAIT } from './connect.ts';

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

  it('gives up on a new connection after 5 s, and on a taken one after 5 s without one coming back (60 s at most)', async () => {
    const handle = connectDatabase(inject('adminDatabaseUrl'), 1);
    try {
      expect(handle.pool.options.connectionTimeoutMillis).toBe(5000);
      expect(LANE_WAIT).toEqual({ stallMs: 5000, maxWaitMs: 60_000 });
    } finally {
      await handle.close();
    }
  });

  it('serves readDb and db from the one pool', async () => {
    const handle = connectDatabase(inject('adminDatabaseUrl'), 1);
    try {
      const [a, b] = await Promise.all([
        sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(handle.readDb),
        sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(handle.db),
      ]);
      expect(a.rows[0]?.pid).toBe(b.rows[0]?.pid);
    } finally {
      await handle.close();
    }
  });
});
