import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { CHECKED_ENUMS } from '../enums.ts';
import { dropDatabase, ensureDatabase } from './admin.ts';
import { connectDatabase } from './connect.ts';
import { migrateToLatest } from './migrate.ts';

const name = `enums_${randomBytes(5).toString('hex')}`;
afterAll(() => dropDatabase(inject('adminDatabaseUrl'), name));

/** The quoted literals of every CHECK constraint on a column, e.g. status in ('todo', …). */
async function checkedValues(db: Kysely<unknown>, table: string, column: string): Promise<string[]> {
  const { rows } = await sql<{ def: string }>`
    select pg_get_constraintdef(c.oid) as def
    from pg_constraint c
    join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
    where c.contype = 'c' and c.conrelid = ${table}::regclass and a.attname = ${column}`.execute(db);
  const lists = rows.map((r) => r.def).filter((d) => d.includes('ANY') || d.includes(' IN '));
  return lists.flatMap((d) => [...d.matchAll(/'([^']*)'::text/g)].map((m) => m[1] as string));
}

describe('enum values are declared once', () => {
  it('every enumerating CHECK constraint equals its zod enum', async () => {
    const handle = connectDatabase(await ensureDatabase(inject('adminDatabaseUrl'), name));
    try {
      const db = handle.db as Kysely<unknown>;
      await migrateToLatest(db);
      for (const { table, column, values } of CHECKED_ENUMS) {
        const checked = await checkedValues(db, table, column);
        expect({ table, column, values: checked.sort() }).toEqual({
          table,
          column,
          values: [...values].sort(),
        });
      }
    } finally {
      await handle.close();
    }
  });
});
