import { type Kysely, sql } from 'kysely';

/**
 * The counters of rate-limiter-flexible's Postgres store (core/src/runtime/rate-limit.ts), shared by every
 * replica: one row per limiter key (`<limiter>:<ip or account>`), `expire` in epoch milliseconds. The
 * library's own CREATE TABLE is not used (`tableCreated: true`): functions never run DDL at start.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`
    create table rate_limits (
      key varchar(255) primary key,
      points integer not null default 0,
      expire bigint
    )`.execute(db);
  await sql`create index rate_limits_expire on rate_limits (expire)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists rate_limits`.execute(db);
}
