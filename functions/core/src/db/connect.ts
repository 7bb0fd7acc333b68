import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { preparesOnceCompiled } from './compiled-once.ts';
import { readsFirst, type WaitBounds } from './reads-first.ts';
import type { Database } from './types.ts';

// timestamptz and bigint columns: keep Dates for timestamps (pg default) and parse int8 ids as strings.
export interface DbHandle {
  db: Kysely<Database>;
  /** The same pool, its waits served before `db`'s (reads-first.ts): for functions that only read. */
  readDb: Kysely<Database>;
  pool: pg.Pool;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** Postgres cancels a statement running longer than this (0 or unset: no limit). */
  statementTimeoutMs?: number;
}

/** How long pg-pool waits for a new connection (connectionTimeoutMillis). */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * How long a request waits in its lane for a connection when every one is taken: until none has come back
 * for as long as a new connection may take, and at most 60 s, for under overload writes wait out the
 * reads that go first (7–15 s in the no-pause bench).
 */
export const LANE_WAIT: WaitBounds = { stallMs: CONNECT_TIMEOUT_MS, maxWaitMs: 60_000 };

/**
 * A pool that waits at most 5 s for a new connection (connectionTimeoutMillis) and, with
 * `statementTimeoutMs`, has Postgres cancel any statement that runs longer. With every connection taken,
 * `readDb`'s requests go before `db`'s, each waiting as LANE_WAIT bounds.
 */
export function connectDatabase(url: string, max = 10, options: ConnectOptions = {}): DbHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // A client losing its connection (Postgres restarted or shutting down) must not crash the process.
  // The pool handles idle clients ('error' on the pool); a checked-out client between two queries of a
  // transaction emits 'error' on itself, and with no listener that is an uncaught exception. Its
  // in-flight or next query fails instead, and the pool replaces the client.
  pool.on('error', () => {});
  pool.on('connect', (client) => {
    client.on('error', () => {});
    preparesOnceCompiled(client);
  });
  const lanes = readsFirst(pool, max, LANE_WAIT);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: lanes.write }) });
  const readDb = new Kysely<Database>({ dialect: new PostgresDialect({ pool: lanes.read }) });
  return {
    db,
    readDb,
    pool,
    close: async () => {
      await readDb.destroy();
      await db.destroy();
    },
  };
}
