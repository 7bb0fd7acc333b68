import { randomBytes } from 'node:crypto';
import { dropDatabase, ensureDatabase } from '@todo/core/db/admin';
import { connectDatabase, type DbHandle } from '@todo/core/db/connect';
import { migrateToLatest } from '@todo/core/db/migrate';
import type { Database } from '@todo/core/db/types';
import type { Kysely, RootOperationNode } from 'kysely';
import { afterAll, beforeAll, inject } from 'vitest';

export interface TestDatabase {
  url: string;
  db: Kysely<Database>;
  handle: DbHandle;
}

/** A fresh, migrated database (in the run's one embedded Postgres) for one test file, without the API. */
export function useTestDatabase(): TestDatabase {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const t = {} as TestDatabase;
  beforeAll(async () => {
    t.url = await ensureDatabase(inject('adminDatabaseUrl'), name);
    t.handle = connectDatabase(t.url, 10);
    t.db = t.handle.db;
    await migrateToLatest(t.db as Kysely<unknown>);
  });
  afterAll(async () => {
    await t.handle?.close();
    await dropDatabase(inject('adminDatabaseUrl'), name);
  });
  return t;
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs` with `what`. */
export async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${what}: not true after ${timeoutMs} ms${last ? ` (last error: ${String(last)})` : ''}`,
      );
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/**
 * `db` as seen through a plugin that counts the statements sent through it (those `which` picks; all by
 * default): for tests that check how many round trips a piece of code makes.
 */
export function countingStatements(
  db: Kysely<Database>,
  which: (node: RootOperationNode) => boolean = () => true,
) {
  const seen = { statements: 0 };
  const counted = db.withPlugin({
    transformQuery: (args) => {
      if (which(args.node)) seen.statements++;
      return args.node;
    },
    transformResult: async (args) => args.result,
  });
  return { db: counted, seen };
}
