import { describe, expect, it } from 'vitest';
import { type TestUser, useTestApi } from '../testing/stack.ts';

const api = useTestApi();

interface Project {
  id: string;
  name: string;
  color: string;
  position: number;
  is_inbox: boolean;
  archived_at: string | null;
  open_count: number;
}

async function projects(user: TestUser, query = ''): Promise<Project[]> {
  const res = await api.json('GET', `/api/v1/projects${query}`, { token: user.token });
  expect(res.status).toBe(200);
  return res.body.items;
}

async function createProject(user: TestUser, body: Record<string, unknown>): Promise<Project> {
  const res = await api.json('POST', '/api/v1/projects', { token: user.token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function createTask(user: TestUser, body: Record<string, unknown>) {
  const res = await api.json('POST', '/api/v1/tasks', { token: user.token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { id: string; project_id: string };
}

const inboxOf = async (user: TestUser) => (await projects(user))[0]!;
const order = (items: Project[]) => items.map((p) => [p.name, p.position]);

describe('projects', () => {
  it('every new account has exactly one Inbox, first, and tasks without a project land in it', async () => {
    const user = await api.signUp();
    const [inbox, ...rest] = await projects(user);
    expect(rest).toEqual([]);
    expect(inbox).toMatchObject({
      name: 'Inbox',
      is_inbox: true,
      position: 0,
      archived_at: null,
      open_count: 0,
    });
    const task = await createTask(user, { title: 'Somewhere' });
    expect(task.project_id).toBe(inbox!.id);
    expect((await inboxOf(user)).open_count).toBe(1);
  });

  it('creates projects last in order, counts open tasks, and lists and moves tasks by project', async () => {
    const user = await api.signUp();
    const work = await createProject(user, { name: 'Work', color: 'blue' });
    const home = await createProject(user, { name: 'Home' });
    expect(work).toMatchObject({ name: 'Work', color: 'blue', position: 1, is_inbox: false, open_count: 0 });
    expect(home).toMatchObject({ color: 'grey', position: 2 });
    const loc = await api.call('POST', '/api/v1/projects', { token: user.token, body: { name: 'Work' } });
    // Names may repeat, as in Todoist.
    expect(loc.status).toBe(201);
    expect(loc.headers.get('location')).toMatch(/^\/api\/v1\/projects\/[0-9a-f-]{36}$/);

    const report = await createTask(user, { title: 'Report', project_id: work.id });
    await createTask(user, { title: 'Slides', project_id: work.id, status: 'done' });
    await createTask(user, { title: 'Laundry', project_id: home.id });
    await createTask(user, { title: 'Loose end' });
    const counts = Object.fromEntries((await projects(user)).map((p) => [p.id, p.open_count]));
    expect([counts[work.id], counts[home.id]]).toEqual([1, 1]);
    expect((await api.json('GET', `/api/v1/projects/${work.id}`, { token: user.token })).body).toMatchObject({
      name: 'Work',
      open_count: 1,
    });

    const inWork = await api.json('GET', `/api/v1/tasks?project=${work.id}&sort_by=title`, {
      token: user.token,
    });
    expect(inWork.body.items.map((t: { title: string }) => t.title)).toEqual(['Report', 'Slides']);

    // Moving a task (PATCH), and PUT without project_id keeps it where it is.
    const moved = await api.json('PATCH', `/api/v1/tasks/${report.id}`, {
      token: user.token,
      body: { project_id: home.id },
    });
    expect(moved.body.project_id).toBe(home.id);
    const replaced = await api.json('PUT', `/api/v1/tasks/${report.id}`, {
      token: user.token,
      body: { title: 'Report v2' },
    });
    expect(replaced.body.project_id).toBe(home.id);
    const inHome = await api.json('GET', `/api/v1/tasks?project=${home.id}&sort_by=title`, {
      token: user.token,
    });
    expect(inHome.body.items.map((t: { title: string }) => t.title)).toEqual(['Laundry', 'Report v2']);
    await api.settle();
    const updated = await api.stack.db
      .selectFrom('outbox')
      .select('cloud_event')
      .where('partition_key', '=', report.id)
      .where('event_type', '=', 'TaskUpdated.v1')
      .orderBy('id')
      .executeTakeFirstOrThrow();
    // Events carry the task JSON, so they carry the move.
    expect(updated.cloud_event).toMatchObject({
      data: { task: { project_id: home.id }, previous: { project_id: work.id } },
    });
  });

  it('reorders with a dense sequence 0..n-1, the Inbox always first', async () => {
    const user = await api.signUp();
    const [a, b, c, d] = [
      await createProject(user, { name: 'A' }),
      await createProject(user, { name: 'B' }),
      await createProject(user, { name: 'C' }),
      await createProject(user, { name: 'D' }),
    ];
    const move = (p: Project, position: number) =>
      api.json('PATCH', `/api/v1/projects/${p.id}`, { token: user.token, body: { position } });
    expect((await move(d!, 1)).body.position).toBe(1);
    expect(order(await projects(user))).toEqual([
      ['Inbox', 0],
      ['D', 1],
      ['A', 2],
      ['B', 3],
      ['C', 4],
    ]);
    // Past the end is the end.
    expect((await move(a!, 99)).body.position).toBe(4);
    expect((await move(b!, 3)).body.position).toBe(3);
    expect(order(await projects(user))).toEqual([
      ['Inbox', 0],
      ['D', 1],
      ['C', 2],
      ['B', 3],
      ['A', 4],
    ]);
    // Deleting closes the gap; archived projects keep their place (shown with ?archived=true).
    await api.call('DELETE', `/api/v1/projects/${c!.id}`, { token: user.token });
    await api.json('PATCH', `/api/v1/projects/${d!.id}`, { token: user.token, body: { archived: true } });
    expect(order(await projects(user))).toEqual([
      ['Inbox', 0],
      ['B', 2],
      ['A', 3],
    ]);
    expect(order(await projects(user, '?archived=true'))).toEqual([
      ['Inbox', 0],
      ['D', 1],
      ['B', 2],
      ['A', 3],
    ]);
  });

  it('keeps the order dense when projects are created at the same time', async () => {
    const user = await api.signUp();
    const made = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        api.json('POST', '/api/v1/projects', { token: user.token, body: { name: `P${i}` } }),
      ),
    );
    expect(made.map((r) => r.status)).toEqual(Array(6).fill(201));
    expect((await projects(user)).map((p) => p.position)).toEqual([0, 1, 2, 3, 4, 5, 6]);
  });

  it('archives and restores; an archived project takes no new tasks', async () => {
    const user = await api.signUp();
    const old = await createProject(user, { name: 'Old' });
    await createTask(user, { title: 'Kept', project_id: old.id });
    const archived = await api.json('PATCH', `/api/v1/projects/${old.id}`, {
      token: user.token,
      body: { archived: true, color: 'teal' },
    });
    expect(archived.status).toBe(200);
    expect(archived.body).toMatchObject({ color: 'teal', open_count: 1 });
    expect(archived.body.archived_at).toEqual(expect.any(String));
    expect((await projects(user)).map((p) => p.name)).toEqual(['Inbox']);
    const refused = await api.json('POST', '/api/v1/tasks', {
      token: user.token,
      body: { title: 'New', project_id: old.id },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      { field: 'body.project_id', message: expect.stringMatching(/archived/) },
    ]);
    // Its tasks are still there, in it.
    const kept = await api.json('GET', `/api/v1/tasks?project=${old.id}`, { token: user.token });
    expect(kept.body.items).toHaveLength(1);
    const restored = await api.json('PATCH', `/api/v1/projects/${old.id}`, {
      token: user.token,
      body: { archived: false },
    });
    expect(restored.body.archived_at).toBeNull();
    await createTask(user, { title: 'New', project_id: old.id });
  });

  it('the Inbox cannot be renamed, archived, moved or deleted (409 saying why); its colour can change', async () => {
    const user = await api.signUp();
    const inbox = await inboxOf(user);
    const patch = (body: Record<string, unknown>) =>
      api.json('PATCH', `/api/v1/projects/${inbox.id}`, { token: user.token, body });
    for (const [body, why] of [
      [{ name: 'Later' }, /cannot be renamed/],
      [{ archived: true }, /cannot be archived/],
      [{ position: 2 }, /stays first/],
    ] as const) {
      const res = await patch(body);
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ type: '/problems/conflict', detail: expect.stringMatching(why) });
    }
    const del = await api.json('DELETE', `/api/v1/projects/${inbox.id}`, { token: user.token });
    expect(del.status).toBe(409);
    expect(del.body.detail).toMatch(/Inbox cannot be deleted/);
    expect((await patch({ color: 'red', name: 'Inbox', archived: false })).body).toMatchObject({
      name: 'Inbox',
      color: 'red',
      archived_at: null,
    });
    expect(await projects(user)).toHaveLength(1);
  });

  it('deletes a project with its tasks and a TaskDeleted event for each in the outbox, in one go', async () => {
    const user = await api.signUp();
    const trip = await createProject(user, { name: 'Trip' });
    const due = new Date(Date.now() + 86_400_000).toISOString();
    const tasks = [
      await createTask(user, {
        title: 'Passport',
        project_id: trip.id,
        tags: ['docs'],
        due_at: due,
        reminders: [60],
      }),
      await createTask(user, { title: 'Tickets', project_id: trip.id, status: 'done' }),
    ];
    const elsewhere = await createTask(user, { title: 'Unrelated', tags: ['docs'] });
    await api.settle();
    const reminderJobs = () =>
      api.stack.db
        .selectFrom('scheduled_jobs')
        .select('name')
        .where('name', 'like', `%${tasks[0]!.id}%`)
        .execute();
    expect(await reminderJobs()).not.toEqual([]);

    expect((await api.call('DELETE', `/api/v1/projects/${trip.id}`, { token: user.token })).status).toBe(204);
    for (const t of tasks) {
      expect((await api.call('GET', `/api/v1/tasks/${t.id}`, { token: user.token })).status).toBe(404);
    }
    expect((await api.call('GET', `/api/v1/tasks/${elsewhere.id}`, { token: user.token })).status).toBe(200);
    expect((await api.call('GET', `/api/v1/projects/${trip.id}`, { token: user.token })).status).toBe(404);
    const events = await api.stack.db
      .selectFrom('outbox')
      .select(['partition_key', 'cloud_event'])
      .where('event_type', '=', 'TaskDeleted.v1')
      .where(
        'partition_key',
        'in',
        tasks.map((t) => t.id),
      )
      .execute();
    expect(events.map((e) => e.partition_key).sort()).toEqual(tasks.map((t) => t.id).sort());
    const passport = events.find((e) => e.partition_key === tasks[0]!.id)!.cloud_event as any;
    expect(passport).toMatchObject({
      type: 'TaskDeleted.v1',
      source: 'projects',
      subject: tasks[0]!.id,
      data: {
        user_id: user.id,
        task: { title: 'Passport', project_id: trip.id, tags: [{ name: 'docs' }], reminders: [60] },
      },
    });
    // Downstream, the reminder goes as a deleted task's does: its job removed, its receipt cancelled.
    await api.settle();
    expect(await reminderJobs()).toEqual([]);
    const receipts = await api.stack.db
      .selectFrom('reminder_deliveries')
      .select('status')
      .where('task_id', '=', tasks[0]!.id)
      .execute();
    expect(receipts.length).toBeGreaterThan(0);
    expect(receipts.filter((r) => r.status !== 'cancelled')).toEqual([]);
  });

  it("a recurring task's next occurrence stays in its project", async () => {
    const user = await api.signUp();
    const gym = await createProject(user, { name: 'Gym' });
    const due = new Date(Date.now() + 3_600_000).toISOString();
    const first = await createTask(user, {
      title: 'Stretch',
      project_id: gym.id,
      due_at: due,
      recurrence: { rule: 'FREQ=DAILY' },
    });
    await api.json('POST', `/api/v1/tasks/${first.id}/complete`, { token: user.token });
    await api.settle();
    const open = await api.json('GET', `/api/v1/tasks?project=${gym.id}&status=todo`, { token: user.token });
    expect(open.body.items).toHaveLength(1);
    expect(open.body.items[0]).toMatchObject({ title: 'Stretch', project_id: gym.id });
    expect(open.body.items[0].id).not.toBe(first.id);
  });

  it("another user's project is a 404 everywhere, and not a place for tasks (400 naming body.project_id)", async () => {
    const alice = await api.signUp();
    const bob = await api.signUp();
    const secret = await createProject(alice, { name: 'Secret' });
    await createTask(alice, { title: 'Hidden', project_id: secret.id });
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { name: 'Mine now' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await api.json(method, `/api/v1/projects/${secret.id}`, { token: bob.token, body });
      expect(res.status, method).toBe(404);
    }
    expect((await projects(bob)).map((p) => p.name)).toEqual(['Inbox']);
    const create = await api.json('POST', '/api/v1/tasks', {
      token: bob.token,
      body: { title: 'Sneak', project_id: secret.id },
    });
    expect(create.status).toBe(400);
    expect(create.body.errors).toEqual([
      { field: 'body.project_id', message: `no project with id ${secret.id}` },
    ]);
    const own = await createTask(bob, { title: 'Mine' });
    const move = await api.json('PATCH', `/api/v1/tasks/${own.id}`, {
      token: bob.token,
      body: { project_id: secret.id },
    });
    expect(move.status).toBe(400);
    expect(move.body.errors[0].field).toBe('body.project_id');
    const listed = await api.json('GET', `/api/v1/tasks?project=${secret.id}`, { token: bob.token });
    expect(listed.body.items).toEqual([]);
    expect((await projects(alice)).find((p) => p.id === secret.id)).toMatchObject({
      name: 'Secret',
      open_count: 1,
    });
  });

  it('bad input is a 400 naming the field', async () => {
    const user = await api.signUp();
    const p = await createProject(user, { name: 'Fine' });
    const bad: [string, string, unknown, string][] = [
      ['POST', '/api/v1/projects', { name: '' }, 'body.name'],
      ['POST', '/api/v1/projects', { name: '   ' }, 'body.name'],
      ['POST', '/api/v1/projects', { name: 'x'.repeat(121) }, 'body.name'],
      ['POST', '/api/v1/projects', { name: 'nul\u0000' }, 'body.name'],
      ['POST', '/api/v1/projects', { name: 'Ok', color: 'pink' }, 'body.color'],
      ['POST', '/api/v1/projects', { name: 'Ok', position: 3 }, 'body.position'],
      ['PATCH', `/api/v1/projects/${p.id}`, {}, 'body'],
      ['PATCH', `/api/v1/projects/${p.id}`, { position: 0 }, 'body.position'],
      ['PATCH', `/api/v1/projects/${p.id}`, { archived: 'yes' }, 'body.archived'],
      ['PATCH', '/api/v1/projects/not-a-uuid', { name: 'x' }, 'path.id'],
      ['POST', '/api/v1/tasks', { title: 'x', project_id: 'inbox' }, 'body.project_id'],
    ];
    for (const [method, path, body, field] of bad) {
      const res = await api.json(method, path, { token: user.token, body });
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    const query = await api.json('GET', '/api/v1/projects?archived=maybe', { token: user.token });
    expect(query.status).toBe(400);
    expect(query.body.errors[0].field).toBe('query.archived');
    const filter = await api.json('GET', '/api/v1/tasks?project=inbox', { token: user.token });
    expect(filter.status).toBe(400);
    expect(filter.body.errors[0].field).toBe('query.project');
    expect((await api.call('GET', '/api/v1/projects')).status).toBe(401);
  });
});
