import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../testing/database.ts';
import { membershipsOf } from '../projects/access.ts';
import { createSession, isSessionActive, revokeSession, sessionWithMemberships } from './sessions.ts';

const t = useTestDatabase();

async function newUser(tag: string) {
  const { id } = await t.db
    .insertInto('users')
    .values({ email: `${tag}-${Date.now()}-${Math.random()}@test.local`, password_hash: 'x' })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

describe('sessionWithMemberships: the session check with the memberships in one statement', () => {
  it("answers the caller's memberships (and the shared ones) while the session is on, as membershipsOf reads them", async () => {
    const owner = await newUser('owner');
    const member = await newUser('member');
    const project = await t.db
      .insertInto('projects')
      .values({ user_id: owner, name: 'Shared', position: 1, shared: true })
      .returning('id')
      .executeTakeFirstOrThrow();
    // (the owner's own membership comes with the project)
    await t.db
      .insertInto('project_members')
      .values({ project_id: project.id, user_id: member, role: 'viewer' })
      .execute();
    const { sessionId } = await createSession(t.db, member, 3600);

    const got = await sessionWithMemberships(t.db, sessionId, member);
    expect(got).not.toBeNull();
    expect(got!.shared).toEqual([project.id]);
    expect(got!.member).toContain(project.id);
    const separately = await membershipsOf(t.db, member);
    expect([...got!.member].sort()).toEqual([...separately.member].sort());
    expect(got!.shared).toEqual(separately.shared);
    expect(await isSessionActive(t.db, sessionId, member)).toBe(true);
  });

  it('answers null, as isSessionActive answers false, for another user, a revoked or an expired session', async () => {
    const user = await newUser('user');
    const other = await newUser('other');
    const { sessionId } = await createSession(t.db, user, 3600);
    expect(await sessionWithMemberships(t.db, sessionId, other)).toBeNull();
    expect(await isSessionActive(t.db, sessionId, other)).toBe(false);

    const expired = await createSession(t.db, user, 3600);
    await t.db
      .updateTable('sessions')
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where('id', '=', expired.sessionId)
      .execute();
    expect(await sessionWithMemberships(t.db, expired.sessionId, user)).toBeNull();

    await revokeSession(t.db, sessionId, user, 'logout');
    expect(await sessionWithMemberships(t.db, sessionId, user)).toBeNull();
    expect(await isSessionActive(t.db, sessionId, user)).toBe(false);
  });

  it('answers empty arrays for a user who is a member of nothing', async () => {
    const user = await newUser('lonely');
    await t.db.deleteFrom('project_members').where('user_id', '=', user).execute();
    const { sessionId } = await createSession(t.db, user, 3600);
    expect(await sessionWithMemberships(t.db, sessionId, user)).toEqual({ member: [], shared: [] });
    expect(await membershipsOf(t.db, user)).toEqual({ member: [], shared: [] });
  });
});
