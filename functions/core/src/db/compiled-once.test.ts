import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../testing/database.ts';
import { compiledOnce } from './compiled-once.ts';

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
});
