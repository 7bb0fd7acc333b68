import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { dropDatabase, ensureDatabase } from './admin.ts';
import { connectDatabase } from './connect.ts';
import { createMigrator, migrateToLatest } from './migrate.ts';

const name = `mp_${randomBytes(5).toString('hex')}`;
afterAll(() => dropDatabase(inject('adminDatabaseUrl'), name));

const BEFORE = '20261202_1600_drop_job_app_id';
const PROJECTS = '20261202_1700_projects';

describe('migration 20261202_1700_projects', () => {
  it('gives every existing user one Inbox and moves every existing task into its owner’s', async () => {
    const handle = connectDatabase(await ensureDatabase(inject('adminDatabaseUrl'), name));
    const db = handle.db as Kysely<unknown>;
    try {
      const migrator = createMigrator(db);
      const before = await migrator.migrateTo(BEFORE);
      expect(before.error).toBeUndefined();

      // Rows as the schema before projects had them: three users, one without tasks.
      const users = (
        await sql<{ id: string }>`insert into users (email, password_hash)
          select 'old' || n || '@example.com', 'x' from generate_series(1, 3) as n returning id`.execute(db)
      ).rows.map((r) => r.id);
      await sql`insert into tasks (user_id, title, status)
        select u, 'task ' || n, case when n % 3 = 0 then 'done' else 'todo' end
        from unnest(${users.slice(0, 2)}::uuid[]) as u, generate_series(1, 250) as n`.execute(db);

      const after = await migrator.migrateTo(PROJECTS);
      expect(after.error).toBeUndefined();

      const projects = (
        await sql<{ user_id: string; name: string; position: number; is_inbox: boolean }>`
          select user_id, name, position, is_inbox from projects order by user_id`.execute(db)
      ).rows;
      expect(projects.map((p) => p.user_id)).toEqual([...users].sort());
      for (const p of projects) expect(p).toMatchObject({ name: 'Inbox', position: 0, is_inbox: true });

      const placement = (
        await sql<{ total: string; in_own_inbox: string }>`
          select count(*) as total,
            count(*) filter (where p.is_inbox and p.user_id = t.user_id) as in_own_inbox
          from tasks t join projects p on p.id = t.project_id`.execute(db)
      ).rows[0]!;
      expect(placement).toEqual({ total: '500', in_own_inbox: '500' });

      // What the old code still does during a rolling upgrade keeps within the invariants: an account
      // inserted on its own gets its Inbox, a task inserted without a project lands in it.
      const late = (
        await sql<{ id: string }>`insert into users (email, password_hash)
          values ('late@example.com', 'x') returning id`.execute(db)
      ).rows[0]!.id;
      const task = (
        await sql<{ project_id: string; is_inbox: boolean }>`
          with t as (insert into tasks (user_id, title) values (${late}, 'old code') returning project_id)
          select t.project_id, p.is_inbox from t join projects p on p.id = t.project_id`.execute(db)
      ).rows[0]!;
      expect(task.is_inbox).toBe(true);

      // One Inbox per user, first and only it at position 0.
      await expect(
        sql`insert into projects (user_id, name, position, is_inbox) values (${late}, 'Inbox 2', 0, true)`.execute(
          db,
        ),
      ).rejects.toMatchObject({ code: '23505' });
      await expect(
        sql`insert into projects (user_id, name, position) values (${late}, 'Not first', 0)`.execute(db),
      ).rejects.toMatchObject({ code: '23514' });

      // And it goes down and up again with the rows in place.
      expect((await migrator.migrateTo(BEFORE)).error).toBeUndefined();
      const kept = await sql<{ n: string }>`select count(*) as n from tasks`.execute(db);
      expect(kept.rows[0]!.n).toBe('501');
      await migrateToLatest(db);
      const back = await sql<{
        n: string;
      }>`select count(distinct user_id) as n from projects where is_inbox`.execute(db);
      expect(back.rows[0]!.n).toBe('4');
    } finally {
      await handle.close();
    }
  });
});
