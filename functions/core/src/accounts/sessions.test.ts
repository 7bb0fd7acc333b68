import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { useTestDatabase } from '../../../testing/database.ts';
import { membershipsOf } from '../projects/access.ts';
import { loadConfig } from '../runtime/config.ts';
import { type AppEnv, createFunctionApp } from '../runtime/http.ts';
import { createLogger } from '../runtime/log.ts';
import type { HttpRoute } from '../runtime/routes.ts';
import {
  createSession,
  isSessionActive,
  issueTokenForNewSession,
  revokeSession,
  sessionWithMemberships,
} from './sessions.ts';

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

describe("createFunctionApp's readMemberships", () => {
  const SECRET = 'sessions-test-secret-sessions-test-secret';
  const route = (operationId: string, path: string): HttpRoute => ({
    operationId,
    method: 'GET',
    path,
    summary: operationId,
    status: 200,
  });

  it('reads the memberships with the session check for the operations it names, and only for them', async () => {
    const user = await newUser('reader');
    const token = await issueTokenForNewSession(t.db, user, SECRET, 3600);
    const app = createFunctionApp(
      {
        name: 'things',
        routes: [route('listThings', '/api/v1/things'), route('getThing', '/api/v1/things/:id')],
      },
      {
        db: t.db,
        config: loadConfig({}),
        jwtSecret: SECRET,
        log: createLogger('silent'),
        appToken: 'sessions-test-app-token-0123456789',
      },
      { readMemberships: ['listThings'] },
    );
    const seen = (c: { var: AppEnv['Variables'] }) => ({ memberships: c.var.user.memberships ?? null });
    app.get('/api/v1/things', (c) => c.json(seen(c)));
    app.get('/api/v1/things/:id', (c) => c.json(seen(c)));
    const get = async (path: string) =>
      (await app.request(path, { headers: { authorization: `Bearer ${token}` } })).json();

    expect(await get('/api/v1/things')).toEqual({ memberships: await membershipsOf(t.db, user) });
    expect(await get('/api/v1/things/x')).toEqual({ memberships: null });
  });
});
