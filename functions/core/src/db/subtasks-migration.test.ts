import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dropDatabase, ensureDatabase } from './admin.ts';
import { connectDatabase, type DbHandle } from './connect.ts';
import { createMigrator, migrateToLatest } from './migrate.ts';

/**
 * The rules of subtasks the database itself keeps (20261202_1800_subtasks), written as raw SQL — as any
 * writer other than the API (an import, a script) would — so nothing of the app's own checks is in the way.
 */
const name = `ms_${randomBytes(5).toString('hex')}`;
let handle: DbHandle;
let db: Kysely<unknown>;
let alice: string;
let bob: string;
let inbox: string;
let garden: string;

const one = async <T>(query: ReturnType<typeof sql<T>>) => (await query.execute(db)).rows[0]!;
const task = async (title: string, extra: { user?: string; project?: string; parent?: string } = {}) =>
  (
    await one<{ id: string }>(sql`insert into tasks (user_id, project_id, parent_id, title)
      values (${extra.user ?? alice}, ${extra.project ?? inbox}, ${extra.parent ?? null}, ${title}) returning id`)
  ).id;

beforeAll(async () => {
  handle = connectDatabase(await ensureDatabase(inject('adminDatabaseUrl'), name));
  db = handle.db as Kysely<unknown>;
  await migrateToLatest(db);
  alice = (
    await one<{ id: string }>(
      sql`insert into users (email, password_hash) values ('a@x.org', 'x') returning id`,
    )
  ).id;
  bob = (
    await one<{ id: string }>(
      sql`insert into users (email, password_hash) values ('b@x.org', 'x') returning id`,
    )
  ).id;
  inbox = (await one<{ id: string }>(sql`select id from projects where user_id = ${alice} and is_inbox`)).id;
  garden = (
    await one<{ id: string }>(sql`insert into projects (user_id, name, position)
      values (${alice}, 'Garden', 1) returning id`)
  ).id;
});

afterAll(async () => {
  await handle?.close();
  await dropDatabase(inject('adminDatabaseUrl'), name);
});

describe('migration 20261202_1800_subtasks: the database keeps the rules', () => {
  it('takes a subtask under a top-level task of the same user and project', async () => {
    const parent = await task('Parent');
    const child = await task('Child', { parent });
    expect(await one(sql`select parent_id from tasks where id = ${child}`)).toEqual({ parent_id: parent });
  });

  it('refuses a subtask of a subtask, and a task with subtasks becoming one (one level)', async () => {
    const parent = await task('P');
    const child = await task('C', { parent });
    await expect(task('Grandchild', { parent: child })).rejects.toMatchObject({
      code: '23514',
      constraint: 'tasks_subtask_depth',
    });
    const other = await task('Other');
    await expect(
      sql`update tasks set parent_id = ${other} where id = ${parent}`.execute(db),
    ).rejects.toMatchObject({
      code: '23514',
      constraint: 'tasks_subtask_depth',
    });
  });

  it("refuses a subtask in another project or of another user's task", async () => {
    const parent = await task('P');
    await expect(task('Elsewhere', { parent, project: garden })).rejects.toMatchObject({
      constraint: 'tasks_subtask_same_project',
    });
    const bobsInbox = (
      await one<{ id: string }>(sql`select id from projects where user_id = ${bob} and is_inbox`)
    ).id;
    await expect(task('Sneak', { user: bob, project: bobsInbox, parent })).rejects.toMatchObject({
      constraint: 'tasks_subtask_same_project',
    });
    // Moving a subtask alone, or a parent without its subtasks, is refused; both together in one
    // transaction (the check is deferred to commit) is how a parent moves.
    const child = await task('C', { parent });
    await expect(
      sql`update tasks set project_id = ${garden} where id = ${child}`.execute(db),
    ).rejects.toMatchObject({
      constraint: 'tasks_subtask_same_project',
    });
    await expect(
      sql`update tasks set project_id = ${garden} where id = ${parent}`.execute(db),
    ).rejects.toMatchObject({
      constraint: 'tasks_subtask_same_project',
    });
    await db.transaction().execute(async (trx) => {
      await sql`update tasks set project_id = ${garden} where id = ${parent}`.execute(trx);
      await sql`update tasks set project_id = ${garden} where parent_id = ${parent}`.execute(trx);
    });
    expect(await one(sql`select project_id from tasks where id = ${child}`)).toEqual({ project_id: garden });
  });

  it('of two concurrent writes that together would nest two levels, the later commit is refused', async () => {
    const a = await task('A');
    const b = await task('B');
    let second: Promise<unknown> | undefined;
    await db.transaction().execute(async (t1) => {
      await sql`update tasks set parent_id = ${b} where id = ${a}`.execute(t1);
      // Meanwhile another transaction adds a subtask under A: its check (at its commit) waits for A's
      // row, then sees A is a subtask now.
      // (Its outcome is caught at once: it settles as soon as this one commits, before the assertion.)
      second = task('Under A', { parent: a }).then(
        () => 'committed',
        (e: unknown) => e,
      );
      await new Promise((r) => setTimeout(r, 200));
    });
    expect(await second).toMatchObject({ constraint: 'tasks_subtask_depth' });
    expect(await one(sql`select count(*)::int as n from tasks where parent_id = ${a}`)).toEqual({ n: 0 });
  });

  it('refuses a recurring subtask, and deletes subtasks with their parent', async () => {
    const parent = await task('P');
    await expect(
      sql`insert into tasks (user_id, parent_id, title, due_at, recurrence_rule, recurrence_mode)
        values (${alice}, ${parent}, 'Daily', now(), 'FREQ=DAILY', 'schedule')`.execute(db),
    ).rejects.toMatchObject({ code: '23514', constraint: 'tasks_subtask_not_recurring' });
    const child = await task('C', { parent });
    await sql`delete from tasks where id = ${parent}`.execute(db);
    expect((await sql`select id from tasks where id = ${child}`.execute(db)).rows).toEqual([]);
  });

  it('goes down and up again with subtasks in place', async () => {
    const parent = await task('Kept');
    await task('Kept child', { parent });
    const migrator = createMigrator(db);
    expect((await migrator.migrateTo('20261202_1700_projects')).error).toBeUndefined();
    const n = await one<{ n: string }>(sql`select count(*) as n from tasks where title like 'Kept%'`);
    expect(n.n).toBe('2');
    await migrateToLatest(db);
    expect(
      await one(sql`select count(*)::int as n from tasks where parent_id is not null and title like 'Kept%'`),
    ).toEqual({ n: 0 });
  });
});
