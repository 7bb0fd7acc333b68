import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../testing/database.ts';
import { compiledOnce } from './compiled-once.ts';
import { connectDatabase } from './connect.ts';

const t = useTestDatabase();

describe('compiledOnce', () => {
  // Two arguments, one of them used twice, beside a parameter of its own (the limit).
  const usersNamed = compiledOnce((db, a: string, b: string) =>
    db
      .selectFrom(sql<{ email: string }>`(values (${a}), (${b}), (${a}), ('other'))`.as('v'))
      .select(sql<string>`v.column1`.as('email'))
      .where(sql<string>`v.column1`, 'in', [a, b])
      .orderBy('email')
      .limit(10),
  );

  it('runs the once-compiled query with each call’s own values', async () => {
    expect(await usersNamed(t.db, 'x', 'y')).toEqual([{ email: 'x' }, { email: 'x' }, { email: 'y' }]);
    expect(await usersNamed(t.db, 'p', 'q')).toEqual([{ email: 'p' }, { email: 'p' }, { email: 'q' }]);
  });

  it('runs in a transaction as on the pool', async () => {
    const rows = await t.db.transaction().execute((trx) => usersNamed(trx, 'm', 'n'));
    expect(rows.map((r) => r.email)).toEqual(['m', 'm', 'n']);
  });

  it('refuses a build that does not bind an argument as a parameter', async () => {
    const raw = compiledOnce((db, column: string) => db.selectFrom('users').select(sql.ref(column).as('c')));
    await expect(raw(t.db, 'email')).rejects.toThrow(/argument 0 is not a bound parameter/);
  });

  it('refuses a query whose result is `*` (it is prepared; see compiledOnce)', async () => {
    const star = compiledOnce((db, email: string) =>
      db.selectFrom('users').selectAll().where('email', '=', email),
    );
    await expect(star(t.db, 'x')).rejects.toThrow(/no \*/);
    const counted = compiledOnce((db, email: string) =>
      db.selectFrom('users').select(sql<number>`count(*)`.as('n')).where('email', '=', email),
    );
    expect(await counted(t.db, 'nobody@test.local')).toEqual([{ n: '0' }]);
  });

  it('runs as a named prepared statement on a pool connection: parsed once per connection', async () => {
    const handle = connectDatabase(t.url, 1);
    try {
      for (const pair of [
        ['a', 'b'],
        ['c', 'd'],
      ])
        await usersNamed(handle.db, pair[0]!, pair[1]!);
      const { rows } = await sql<{ name: string; statement: string }>`
        select name, statement from pg_prepared_statements`.execute(handle.db);
      expect(rows).toHaveLength(1);
      expect(rows[0]!.name).toMatch(/^compiled_once_\d+$/);
      expect(rows[0]!.statement).toContain('v.column1');
      expect(await usersNamed(handle.db, 'e', 'f')).toEqual([{ email: 'e' }, { email: 'e' }, { email: 'f' }]);
    } finally {
      await handle.close();
    }
  });
});
