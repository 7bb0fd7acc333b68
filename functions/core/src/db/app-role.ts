import { type Kysely, sql } from 'kysely';

/**
 * Two database roles in a cluster: the migration Job connects as the owner (MIGRATION_DATABASE_URL; it
 * creates and alters tables), the functions as an app role (DATABASE_URL) that can read and write rows
 * but never change the schema. A function that is compromised, or a query that goes wrong, can then lose
 * rows at worst, never a table. The migration keeps the app role's grants in step with the schema after
 * every run, so a new table is usable by the functions as soon as it exists.
 */
export interface AppRole {
  name: string;
  /** Absent: the role authenticates some other way (certificate, IAM); its password is left alone. */
  password?: string;
}

/** Tables the app role never touches: the migrator's own bookkeeping. */
const OWNER_ONLY_TABLES = /^kysely_migration/;

/**
 * The app role named by the functions' DATABASE_URL, when it differs from the migration's own role;
 * undefined when both connect as the same role (embedded mode, or a single-role install).
 */
export function appRoleOf(appUrl: string | undefined, migrationUrl: string): AppRole | undefined {
  if (!appUrl) return undefined;
  const app = new URL(appUrl);
  const owner = new URL(migrationUrl);
  const name = decodeURIComponent(app.username);
  if (!name || name === decodeURIComponent(owner.username)) return undefined;
  const password = app.password ? decodeURIComponent(app.password) : undefined;
  return password ? { name, password } : { name };
}

export interface AppRoleReport {
  created: boolean;
  /** Privileges beyond DML that the role still has and this migration could not take away. */
  warnings: string[];
}

/**
 * Creates the app role (LOGIN, no other attribute) or brings its password in step with the Secret, then
 * grants it exactly DML: SELECT/INSERT/UPDATE/DELETE on every app table in `public`, USAGE on their
 * sequences, and nothing on the migrator's tables. One transaction, so the functions never see a moment
 * without their grants. Refuses a role that could change the schema anyway (a superuser, or a member of
 * a table's owner): the split would be a fiction. Run it as the owner of the tables, after migrating.
 */
export async function grantAppRole(db: Kysely<unknown>, role: AppRole): Promise<AppRoleReport> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role.name))
    throw new Error(`app role ${JSON.stringify(role.name)}: use a lower-case SQL identifier (todo_app)`);
  return db.transaction().execute(async (trx) => {
    const exec = async (template: string, ...args: string[]) => {
      const { rows } = await sql<{ stmt: string }>`select format(${template}, ${sql.join(
        args.map((a) => sql`${a}::text`),
      )}) as stmt`.execute(trx);
      await sql.raw(rows[0]!.stmt).execute(trx);
    };
    const existing = await sql<{ rolsuper: boolean; rolcreaterole: boolean; rolcreatedb: boolean }>`
      select rolsuper, rolcreaterole, rolcreatedb from pg_roles where rolname = ${role.name}`.execute(trx);
    const found = existing.rows[0];
    if (found?.rolsuper || found?.rolcreaterole || found?.rolcreatedb)
      throw new Error(
        `app role ${role.name} is a superuser or may create roles or databases: DATABASE_URL must name a role with DML only`,
      );
    // The password goes through format(%L), never into the SQL text by hand.
    if (!found) {
      if (role.password) await exec('create role %I login password %L', role.name, role.password);
      else await exec('create role %I login', role.name);
    } else if (role.password) {
      await exec('alter role %I with login password %L', role.name, role.password);
    }

    const tables = (
      await sql<{ name: string; owned: boolean }>`
        select c.relname as name, pg_has_role(${role.name}::name, c.relowner, 'USAGE') as owned
        from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = 'public' and c.relkind in ('r', 'p')
        order by 1`.execute(trx)
    ).rows;
    const owned = tables.filter((t) => t.owned).map((t) => t.name);
    if (owned.length > 0)
      throw new Error(
        `app role ${role.name} owns (or is a member of the owner of) ${owned.join(', ')}: it could drop them; DATABASE_URL must name a role with DML only`,
      );
    await exec('grant connect on database %I to %I', await currentDatabase(trx), role.name);
    await exec('grant usage on schema public to %I', role.name);
    // Exactly DML, whatever an earlier hand-made grant said.
    await exec('revoke all on all tables in schema public from %I', role.name);
    await exec('revoke all on all sequences in schema public from %I', role.name);
    for (const t of tables.filter((t) => !OWNER_ONLY_TABLES.test(t.name)))
      await exec('grant select, insert, update, delete on table public.%I to %I', t.name, role.name);
    await exec('grant usage on all sequences in schema public to %I', role.name);

    const warnings: string[] = [];
    const schemaCreate = await sql<{ ok: boolean }>`
      select has_schema_privilege(${role.name}::name, 'public', 'CREATE') as ok`.execute(trx);
    if (schemaCreate.rows[0]?.ok)
      warnings.push(
        `${role.name} may still CREATE in schema public (granted to PUBLIC, the default before Postgres 15): as the schema's owner, REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
      );
    return { created: !found, warnings };
  });
}

async function currentDatabase(db: Kysely<unknown>): Promise<string> {
  const { rows } = await sql<{ name: string }>`select current_database() as name`.execute(db);
  return rows[0]!.name;
}
