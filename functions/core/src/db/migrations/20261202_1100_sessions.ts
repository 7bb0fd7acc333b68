import { type Kysely, sql } from 'kysely';

/**
 * Revocable sessions, password reset and email verification.
 *
 * - `sessions`: one row per log-in. The refresh token (32 random bytes, sent only as an HttpOnly cookie)
 *   is stored as its SHA-256; every refresh replaces it and keeps the one it replaced in
 *   `previous_hash`, so presenting that old token again (a copy in someone else's hands) is recognised
 *   and revokes the session. Access tokens carry the session id, and every request checks the row by
 *   primary key, so a revocation takes effect at once.
 * - `account_tokens`: single-purpose links mailed to the user (reset a password, verify an address),
 *   stored hashed with an expiry and the time they were used, and the address they were sent to.
 * - `users.email_verified_at`: reminder emails go only to verified addresses.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table users add column email_verified_at timestamptz`.execute(db);
  await sql`
    create table sessions (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references users(id) on delete cascade,
      refresh_hash text not null,
      previous_hash text,
      rotation integer not null default 0,
      created_at timestamptz not null default now(),
      rotated_at timestamptz not null default now(),
      expires_at timestamptz not null,
      revoked_at timestamptz,
      revoked_reason text
    )`.execute(db);
  await sql`create unique index sessions_refresh_hash on sessions (refresh_hash)`.execute(db);
  await sql`create index sessions_previous_hash on sessions (previous_hash)
    where previous_hash is not null`.execute(db);
  await sql`create index sessions_user on sessions (user_id)`.execute(db);
  await sql`
    create table account_tokens (
      token_hash text primary key,
      user_id uuid not null references users(id) on delete cascade,
      purpose text not null check (purpose in ('password_reset', 'verify_email')),
      email text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      used_at timestamptz
    )`.execute(db);
  await sql`create index account_tokens_user on account_tokens (user_id, purpose)`.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await sql`drop table if exists account_tokens`.execute(db);
  await sql`drop table if exists sessions`.execute(db);
  await sql`alter table users drop column if exists email_verified_at`.execute(db);
}
