// The two-role split on the real embedded Postgres: an owner role (not a superuser, as on a managed
// Postgres) migrates and grants; the app role it creates can write rows but cannot change the schema.
import { randomBytes } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { dropDatabase, ensureDatabase } from './admin.ts';
import { appRoleOf, grantAppRole } from './app-role.ts';
import { connectDatabase, type DbHandle } from './connect.ts';
import { migrateToLatest } from './migrate.ts';

const suffix = randomBytes(5).toString('hex');
const dbName = `r_${suffix}`;
const ownerRole = `owner_${suffix}`;
const appRole = `app_${suffix}`;
const memberRole = `member_${suffix}`;
const ownerPassword = randomBytes(12).toString('hex');
const appPassword = randomBytes(12).toString('hex');

const admin = () => inject('adminDatabaseUrl');
const urlAs = (base: string, user: string, password: string) => {
  const u = new URL(base);
  u.username = user;
  u.password = password;
  return u.toString();
};

async function asAdmin(query: string): Promise<void> {
  const client = new pg.Client({ connectionString: admin() });
  await client.connect();
  try {
    await client.query(query);
  } finally {
    await client.end();
  }
}

/** One statement on its own connection; resolves to its SQLSTATE, or the log-in's ('ok' when it succeeds). */
async function sqlState(url: string, query: string, params: unknown[] = []): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query(query, params);
    return 'ok';
  } catch (e) {
    return (e as { code?: string }).code ?? String(e);
  } finally {
    await client.end().catch(() => {});
  }
}

let dbUrl: string;
let owner: DbHandle;

beforeAll(async () => {
  dbUrl = await ensureDatabase(admin(), dbName);
  // Like a managed Postgres's admin user: owns the database, may create roles, is no superuser.
  await asAdmin(`create role ${ownerRole} login createrole password '${ownerPassword}'`);
  await asAdmin(`alter database ${dbName} owner to ${ownerRole}`);
  owner = connectDatabase(urlAs(dbUrl, ownerRole, ownerPassword), 2);
  await migrateToLatest(owner.db as Kysely<unknown>);
});

afterAll(async () => {
  await owner?.close();
  await dropDatabase(admin(), dbName);
  await asAdmin(`drop role if exists ${appRole}`);
  await asAdmin(`drop role if exists ${memberRole}`);
  await asAdmin(`drop role if exists ${ownerRole}`);
});

describe('the app role (DML only) beside the migration role', () => {
  it('reads the app role from DATABASE_URL, and none when both URLs name the same role', () => {
    const m = 'postgres://todo:owner@db:5432/todo';
    expect(appRoleOf('postgres://todo_app:p%40ss@db:5432/todo', m)).toEqual({
      name: 'todo_app',
      password: 'p@ss',
    });
    expect(appRoleOf('postgres://todo_app@pooler:5432/todo', m)).toEqual({ name: 'todo_app' });
    expect(appRoleOf('postgres://todo:owner@db:5432/todo', m)).toBeUndefined();
    expect(appRoleOf(undefined, m)).toBeUndefined();
  });

  it('after migrate, the app role can insert a task but cannot drop, alter, truncate or create tables', async () => {
    const report = await grantAppRole(owner.db as Kysely<unknown>, { name: appRole, password: appPassword });
    expect(report).toEqual({ created: true, warnings: [] });
    const app = urlAs(dbUrl, appRole, appPassword);

    const client = new pg.Client({ connectionString: app });
    await client.connect();
    try {
      const user = await client.query<{ id: string }>(
        "insert into users (email, password_hash) values ($1, 'x') returning id",
        [`${suffix}@example.com`],
      );
      const task = await client.query<{ title: string }>(
        'insert into tasks (user_id, title) values ($1, $2) returning title',
        [user.rows[0]!.id, 'Ship it'],
      );
      expect(task.rows[0]!.title).toBe('Ship it');
      // bigserial ids: the sequences are usable.
      expect(
        (
          await client.query(
            "insert into outbox (event_id, topic, partition_key, event_type, cloud_event) values (gen_random_uuid(), 't', 'k', 'x', '{}') returning id",
          )
        ).rowCount,
      ).toBe(1);
      await client.query('update tasks set title = $1', ['Shipped']);
      await client.query('delete from tasks');
    } finally {
      await client.end();
    }

    // 42501 insufficient_privilege: "must be owner of table tasks" / "permission denied for schema public".
    expect(await sqlState(app, 'drop table tasks')).toBe('42501');
    expect(await sqlState(app, 'alter table tasks add column hijack text')).toBe('42501');
    expect(await sqlState(app, 'alter table tasks drop constraint tasks_user_id_fkey')).toBe('42501');
    expect(await sqlState(app, 'truncate tasks')).toBe('42501');
    expect(await sqlState(app, 'create table mine (id int)')).toBe('42501');
    expect(await sqlState(app, 'create index on tasks (title)')).toBe('42501');
    // The migrator's bookkeeping is the owner's alone: no faking a migration as applied.
    expect(await sqlState(app, 'select * from kysely_migration')).toBe('42501');
    // And the tables are all still there.
    const { rows } = await sql<{ n: number }>`
      select count(*)::int as n from pg_tables where schemaname = 'public' and tablename = 'tasks'`.execute(
      owner.db,
    );
    expect(rows[0]!.n).toBe(1);
  });

  it('is idempotent and takes a new password from the Secret on the next run', async () => {
    const rotated = randomBytes(12).toString('hex');
    const report = await grantAppRole(owner.db as Kysely<unknown>, { name: appRole, password: rotated });
    expect(report.created).toBe(false);
    expect(await sqlState(urlAs(dbUrl, appRole, rotated), 'select count(*) from tasks')).toBe('ok');
    // 28P01 invalid_password: the old one no longer logs in.
    expect(await sqlState(urlAs(dbUrl, appRole, appPassword), 'select 1')).toBe('28P01');
  });

  it('refuses a DATABASE_URL role that could change the schema anyway (the owner, or a member of it)', async () => {
    await expect(grantAppRole(owner.db as Kysely<unknown>, { name: ownerRole })).rejects.toThrow(
      /may create roles/,
    );
    await asAdmin(`create role ${memberRole} login in role ${ownerRole}`);
    await expect(grantAppRole(owner.db as Kysely<unknown>, { name: memberRole })).rejects.toThrow(
      /owns \(or is a member of the owner of\) .*tasks/,
    );
    await expect(grantAppRole(owner.db as Kysely<unknown>, { name: 'Bad-Name' })).rejects.toThrow(
      /SQL identifier/,
    );
  });
});
