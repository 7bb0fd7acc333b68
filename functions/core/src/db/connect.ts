import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from './types.ts';

// timestamptz and bigint columns: keep Dates for timestamps (pg default) and parse int8 ids as strings.
export interface DbHandle {
  db: Kysely<Database>;
  pool: pg.Pool;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Postgres cancels a statement running longer than this (0 or unset: no limit). */
  statementTimeoutMs?: number;
}

/**
 * A pool that waits at most 5 s for a free connection (connectionTimeoutMillis: the acquire timeout) and,
 * with `statementTimeoutMs`, has Postgres cancel any statement that runs longer.
 */
export function connectDatabase(url: string, max = 10, options: ConnectOptions = {}): DbHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 5000,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // A client losing its connection (Postgres restarted or shutting down) must not crash the process.
  // The pool handles idle clients ('error' on the pool); a checked-out client between two queries of a
  // transaction emits 'error' on itself, and with no listener that is an uncaught exception. Its
  // in-flight or next query fails instead, and the pool replaces the client.
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool, close: () => db.destroy() };
}
