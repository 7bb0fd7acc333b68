import { describe, expect, it } from 'vitest';
import { sharingCalls } from '../testing/sharing-calls.ts';
import { useTestApi } from '../testing/stack.ts';

/** Sharing (issue 13): the acceptance scenarios, through the gateway as a browser would call it. */
const api = useTestApi();

const UNKNOWN = '00000000-0000-4000-8000-00000000abcd';

const { ok, statusOf, share } = sharingCalls(api);

describe('sharing a project', () => {
  it('A invites B as viewer; B accepts, reads but cannot write; promoted to editor B writes; removed B sees nothing', async () => {
    const a = await api.signUp();
    const b = await api.signUp();
    const project = await ok(a, 'POST', '/api/v1/projects', { name: 'Trip' });
    const aTask = await ok(a, 'POST', '/api/v1/tasks', { title: 'Book flights', project_id: project.id });

    const invitation = await ok(a, 'POST', `/api/v1/projects/${project.id}/invitations`, {
      email: b.email,
      role: 'viewer',
    });
    expect(invitation).toMatchObject({ email: b.email, role: 'viewer', project_id: project.id });
    const mine = await ok(b, 'GET', '/api/v1/invitations');
    expect(mine.items).toEqual([
      expect.objectContaining({
        id: invitation.id,
        project_name: 'Trip',
        invited_by: a.email,
        role: 'viewer',
      }),
    ]);
    // Before accepting, B is not a member: 404 like anything that does not exist.
    expect(await statusOf(b, 'GET', `/api/v1/projects/${project.id}`)).toBe(404);
    const accepted = await ok(b, 'POST', `/api/v1/invitations/${invitation.id}/accept`, undefined, 200);
    expect(accepted).toMatchObject({ id: project.id, role: 'viewer' });
    expect((await ok(b, 'GET', '/api/v1/invitations')).items).toEqual([]);

    const bProjects = await ok(b, 'GET', '/api/v1/projects');
    expect(bProjects.items.map((p: any) => [p.name, p.role])).toEqual([
      ['Inbox', 'owner'],
      ['Trip', 'viewer'],
    ]);
    expect((await ok(b, 'GET', `/api/v1/tasks?project=${project.id}`)).items.map((t: any) => t.id)).toEqual([
      aTask.id,
    ]);
    expect((await ok(b, 'GET', '/api/v1/tasks')).items.map((t: any) => t.id)).toContain(aTask.id);
    await ok(b, 'GET', `/api/v1/tasks/${aTask.id}`);
    const members = await ok(b, 'GET', `/api/v1/projects/${project.id}/members`);
    expect(members.members.map((m: any) => [m.email, m.role])).toEqual([
      [a.email, 'owner'],
      [b.email, 'viewer'],
    ]);
    expect(members.invitations).toEqual([]); // only owners see them

    // A viewer cannot write: 403 (they can see it, so 404 would be a lie).
    expect(await statusOf(b, 'POST', '/api/v1/tasks', { title: 'x', project_id: project.id })).toBe(403);
    expect(await statusOf(b, 'PATCH', `/api/v1/tasks/${aTask.id}`, { title: 'x' })).toBe(403);
    expect(await statusOf(b, 'POST', `/api/v1/tasks/${aTask.id}/complete`)).toBe(403);
    expect(await statusOf(b, 'DELETE', `/api/v1/tasks/${aTask.id}`)).toBe(403);
    expect(await statusOf(b, 'PATCH', `/api/v1/projects/${project.id}`, { name: 'Mine' })).toBe(403);
    expect(
      await statusOf(b, 'POST', `/api/v1/projects/${project.id}/invitations`, {
        email: 'c@example.com',
        role: 'viewer',
      }),
    ).toBe(403);

    // Promoted, B creates and completes a task; A sees it.
    await ok(a, 'PATCH', `/api/v1/projects/${project.id}/members/${b.id}`, { role: 'editor' });
    const bTask = await ok(b, 'POST', '/api/v1/tasks', {
      title: 'Pack',
      project_id: project.id,
      tags: ['mine'],
    });
    await ok(b, 'POST', `/api/v1/tasks/${bTask.id}/complete`, undefined, 200);
    await ok(b, 'PATCH', `/api/v1/tasks/${aTask.id}`, { title: 'Book flights (done by B)' });
    const seenByA = await ok(a, 'GET', `/api/v1/tasks/${bTask.id}`);
    expect(seenByA).toMatchObject({
      title: 'Pack',
      status: 'done',
      tags: [expect.objectContaining({ name: 'mine' })],
    });
    // Tags are personal: A filtering by a tag of their own does not match B's tag.
    expect((await ok(a, 'GET', '/api/v1/tasks?tags=mine&status=done')).items).toEqual([]);
    expect((await ok(b, 'GET', '/api/v1/tasks?tags=mine&status=done')).items.map((t: any) => t.id)).toEqual([
      bTask.id,
    ]);
    // Still not an owner.
    expect(await statusOf(b, 'DELETE', `/api/v1/projects/${project.id}`)).toBe(403);

    // Removed: 404 at once, on the project and every task, and nothing in the listings.
    await ok(a, 'DELETE', `/api/v1/projects/${project.id}/members/${b.id}`, undefined, 204);
    expect(await statusOf(b, 'GET', `/api/v1/projects/${project.id}`)).toBe(404);
    expect(await statusOf(b, 'GET', `/api/v1/tasks/${aTask.id}`)).toBe(404);
    expect(await statusOf(b, 'GET', `/api/v1/tasks/${bTask.id}`)).toBe(404);
    expect(await statusOf(b, 'PATCH', `/api/v1/tasks/${bTask.id}`, { title: 'y' })).toBe(404);
    expect(await statusOf(b, 'GET', `/api/v1/projects/${project.id}/members`)).toBe(404);
    expect((await ok(b, 'GET', '/api/v1/tasks?status=todo,done')).items).toEqual([]);
    expect((await ok(b, 'GET', `/api/v1/tasks?project=${project.id}`)).items).toEqual([]);
    expect((await ok(b, 'GET', '/api/v1/projects')).items.map((p: any) => p.name)).toEqual(['Inbox']);
    // A keeps everything, B's task included.
    expect((await ok(a, 'GET', `/api/v1/projects/${project.id}`)).open_count).toBe(1);
  });

  it('leave, decline, withdraw, and the last-owner rules', async () => {
    const a = await api.signUp();
    const b = await api.signUp();
    const c = await api.signUp();
    const project = await ok(a, 'POST', '/api/v1/projects', { name: 'Team' });
    await share(a, project.id, b, 'editor');

    // B leaves.
    await ok(b, 'DELETE', `/api/v1/projects/${project.id}/members/${b.id}`, undefined, 204);
    expect(await statusOf(b, 'GET', `/api/v1/projects/${project.id}`)).toBe(404);

    // C declines; the invitation is gone for both.
    const inv = await ok(a, 'POST', `/api/v1/projects/${project.id}/invitations`, {
      email: c.email,
      role: 'viewer',
    });
    await ok(c, 'POST', `/api/v1/invitations/${inv.id}/decline`, undefined, 204);
    expect(await statusOf(c, 'POST', `/api/v1/invitations/${inv.id}/accept`)).toBe(404);
    expect((await ok(a, 'GET', `/api/v1/projects/${project.id}/members`)).invitations).toEqual([]);
    // Someone else's invitation cannot be accepted or declined by another account.
    const forC = await ok(a, 'POST', `/api/v1/projects/${project.id}/invitations`, {
      email: c.email,
      role: 'viewer',
    });
    expect(await statusOf(b, 'POST', `/api/v1/invitations/${forC.id}/accept`)).toBe(404);
    expect(await statusOf(b, 'POST', `/api/v1/invitations/${forC.id}/decline`)).toBe(404);
    // The owner withdraws it.
    expect((await ok(a, 'GET', `/api/v1/projects/${project.id}/members`)).invitations).toHaveLength(1);
    await ok(a, 'DELETE', `/api/v1/projects/${project.id}/invitations/${forC.id}`, undefined, 204);
    expect((await ok(c, 'GET', '/api/v1/invitations')).items).toEqual([]);

    // Last owner: cannot be demoted, leave, or be removed by themselves.
    expect(
      await statusOf(a, 'PATCH', `/api/v1/projects/${project.id}/members/${a.id}`, { role: 'editor' }),
    ).toBe(409);
    expect(await statusOf(a, 'DELETE', `/api/v1/projects/${project.id}/members/${a.id}`)).toBe(409);
    // With a second owner, A may leave; the project stays B's.
    await share(a, project.id, b, 'editor');
    await ok(a, 'PATCH', `/api/v1/projects/${project.id}/members/${b.id}`, { role: 'owner' });
    await ok(a, 'DELETE', `/api/v1/projects/${project.id}/members/${a.id}`, undefined, 204);
    expect(await statusOf(a, 'GET', `/api/v1/projects/${project.id}`)).toBe(404);
    expect((await ok(b, 'GET', `/api/v1/projects/${project.id}`)).role).toBe('owner');
    // Inviting an existing member: 409.
    expect(
      await statusOf(b, 'POST', `/api/v1/projects/${project.id}/invitations`, {
        email: b.email,
        role: 'viewer',
      }),
    ).toBe(409);
  });

  it('the Inbox cannot be shared; an invite answers alike for an address without an account', async () => {
    const a = await api.signUp();
    const inbox = (await ok(a, 'GET', '/api/v1/projects')).items[0];
    expect(
      await statusOf(a, 'POST', `/api/v1/projects/${inbox.id}/invitations`, {
        email: 'x@example.com',
        role: 'viewer',
      }),
    ).toBe(409);
    const project = await ok(a, 'POST', '/api/v1/projects', { name: 'Later' });
    const nobody = `later-${Date.now()}@example.com`;
    const inv = await ok(a, 'POST', `/api/v1/projects/${project.id}/invitations`, {
      email: nobody,
      role: 'editor',
    });
    expect(Object.keys(inv).sort()).toEqual(['created_at', 'email', 'id', 'project_id', 'role']);
    // It waits for that address: an account made later finds it.
    const later = await api.signUp(nobody);
    expect((await ok(later, 'GET', '/api/v1/invitations')).items.map((i: any) => i.id)).toEqual([inv.id]);
    await ok(later, 'POST', `/api/v1/invitations/${inv.id}/accept`, undefined, 200);
    await ok(later, 'POST', '/api/v1/tasks', { title: 'joined', project_id: project.id });
  });

  it('a non-member gets 404, never 403, on every project, task and sharing route', async () => {
    const a = await api.signUp();
    const outsider = await api.signUp();
    const project = await ok(a, 'POST', '/api/v1/projects', { name: 'Private' });
    const task = await ok(a, 'POST', '/api/v1/tasks', { title: 'secret', project_id: project.id });
    const inv = await ok(a, 'POST', `/api/v1/projects/${project.id}/invitations`, {
      email: 'someone@example.com',
      role: 'viewer',
    });
    const routes: [string, (id: string) => string, unknown?][] = [
      ['GET', (id) => `/api/v1/projects/${id}`],
      ['PATCH', (id) => `/api/v1/projects/${id}`, { name: 'x' }],
      ['DELETE', (id) => `/api/v1/projects/${id}`],
      ['GET', (id) => `/api/v1/projects/${id}/members`],
      ['POST', (id) => `/api/v1/projects/${id}/invitations`, { email: 'z@example.com', role: 'viewer' }],
      ['DELETE', (id) => `/api/v1/projects/${id}/invitations/${inv.id}`],
      ['PATCH', (id) => `/api/v1/projects/${id}/members/${a.id}`, { role: 'viewer' }],
      ['DELETE', (id) => `/api/v1/projects/${id}/members/${a.id}`],
    ];
    for (const [method, path, body] of routes) {
      const real = await api.json(method, path(project.id), { token: outsider.token, body });
      const none = await api.json(method, path(UNKNOWN), { token: outsider.token, body });
      expect(real.status, `${method} ${path(project.id)}`).toBe(404);
      expect({ ...real.body, instance: null }).toEqual({ ...none.body, instance: null });
    }
    for (const [method, suffix, body] of [
      ['GET', ''],
      ['PATCH', '', { title: 'x' }],
      ['PUT', '', { title: 'x' }],
      ['DELETE', ''],
      ['POST', '/complete'],
      ['POST', '/reopen'],
    ] as const) {
      expect(
        await statusOf(outsider, method, `/api/v1/tasks/${task.id}${suffix}`, body),
        `${method} ${suffix}`,
      ).toBe(404);
    }
    expect(await statusOf(outsider, 'POST', `/api/v1/invitations/${inv.id}/accept`)).toBe(404);
    expect((await ok(outsider, 'GET', `/api/v1/tasks?project=${project.id}`)).items).toEqual([]);
    // Naming the project in a write is reported like an unknown project.
    expect(await statusOf(outsider, 'POST', '/api/v1/tasks', { title: 'x', project_id: project.id })).toBe(
      400,
    );
  });

  it('subtasks in a shared project: an editor adds one under the owner’s task; a recurring task completed by an editor repeats for its owner', async () => {
    const a = await api.signUp();
    const b = await api.signUp();
    const project = await ok(a, 'POST', '/api/v1/projects', { name: 'Home' });
    await share(a, project.id, b, 'editor');
    const parent = await ok(a, 'POST', '/api/v1/tasks', { title: 'Clean', project_id: project.id });
    const sub = await ok(b, 'POST', '/api/v1/tasks', { title: 'Kitchen', parent_id: parent.id });
    expect(sub.project_id).toBe(project.id);
    await api.settle();
    expect((await ok(a, 'GET', `/api/v1/tasks/${parent.id}`)).subtasks).toEqual({ total: 1, done: 0 });
    await ok(b, 'POST', `/api/v1/tasks/${parent.id}/complete?subtasks=complete`, undefined, 200);

    const due = new Date(Date.now() + 86_400_000).toISOString();
    const weekly = await ok(a, 'POST', '/api/v1/tasks', {
      title: 'Bins',
      project_id: project.id,
      due_at: due,
      recurrence: { rule: 'FREQ=WEEKLY', mode: 'schedule' },
    });
    await ok(b, 'POST', `/api/v1/tasks/${weekly.id}/complete`, undefined, 200);
    await api.settle();
    const open = await ok(a, 'GET', `/api/v1/tasks?series_id=${weekly.series_id}&status=todo`);
    expect(open.items).toHaveLength(1);
  });
});
