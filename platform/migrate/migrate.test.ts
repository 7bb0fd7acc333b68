// dist/migrate.js, bundled exactly as build-functions.mjs bundles it, run against a fresh real database.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { dropDatabase, ensureDatabase } from '@todo/core/db/admin';
import { build } from 'esbuild';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const exec = promisify(execFile);
const entry = fileURLToPath(new URL('./main.ts', import.meta.url));

describe('dist/migrate.js (the cluster migration Job)', () => {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const appRole = `${name}_app`;
  const dir = mkdtempSync(join(tmpdir(), 'todo-migrate-'));
  const bundle = join(dir, 'migrate.mjs');
  let url: string;
  beforeAll(async () => {
    url = await ensureDatabase(inject('adminDatabaseUrl'), name);
    await build({
      entryPoints: [entry],
      outfile: bundle,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      logLevel: 'error',
      external: ['pg-native'],
      banner: {
        js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
      },
    });
  });
  afterAll(async () => {
    await dropDatabase(inject('adminDatabaseUrl'), name);
    const admin = new pg.Client({ connectionString: inject('adminDatabaseUrl') });
    await admin.connect();
    await admin.query(`drop role if exists ${appRole}`).finally(() => admin.end());
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (env: Record<string, string>) =>
    exec(process.execPath, [bundle], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 }).then(
      (r) => ({ code: 0, out: r.stdout + r.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({
        code: e.code ?? -1,
        out: `${e.stdout}${e.stderr}`,
      }),
    );

  it('brings an empty database to the newest schema, and is a no-op the second time', async () => {
    const first = await run({ DATABASE_URL: url });
    expect(first.out).toMatch(/schema up to date/);
    // One URL: nothing to grant, and it says the functions keep the owner's rights.
    expect(first.out).toMatch(/one role: the functions connect as the role that owns the schema/);
    expect(first.code).toBe(0);
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        "select count(*) as n from information_schema.tables where table_schema = 'public' and table_name in ('users', 'tasks', 'outbox')",
      );
      expect(Number(rows[0]?.n)).toBe(3);
    } finally {
      await client.end();
    }
    expect((await run({ DATABASE_URL: url })).code).toBe(0);
  });

  it('with MIGRATION_DATABASE_URL, migrates as the owner and leaves DATABASE_URL’s role DML only', async () => {
    const appUrl = new URL(url);
    appUrl.username = appRole;
    appUrl.password = randomBytes(12).toString('base64url');
    const r = await run({ MIGRATION_DATABASE_URL: url, DATABASE_URL: appUrl.toString() });
    expect(r.out).toMatch(/"msg":"app role created with DML grants"/);
    expect(r.code, r.out).toBe(0);
    expect(r.out, 'the password is never logged').not.toContain(appUrl.password);
    const client = new pg.Client({ connectionString: appUrl.toString() });
    await client.connect();
    try {
      const user = await client.query<{ id: string }>(
        "insert into users (email, password_hash) values ('job@example.com', 'x') returning id",
      );
      await client.query("insert into tasks (user_id, title) values ($1, 'From the app role')", [
        user.rows[0]!.id,
      ]);
      await expect(client.query('drop table tasks')).rejects.toMatchObject({ code: '42501' });
      await expect(client.query('alter table tasks add column x int')).rejects.toMatchObject({
        code: '42501',
      });
    } finally {
      await client.end();
    }
    // The next upgrade's Job: the role exists, its grants are brought up to date.
    const again = await run({ MIGRATION_DATABASE_URL: url, DATABASE_URL: appUrl.toString() });
    expect(again.out).toMatch(/"msg":"app role grants up to date"/);
    expect(again.code).toBe(0);
  });

  it('refuses to start without DATABASE_URL (exit 78, naming it)', async () => {
    const r = await run({});
    expect(r.code).toBe(78);
    expect(r.out).toMatch(/DATABASE_URL is required/);
  });
});
