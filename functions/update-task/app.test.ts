import { describe, expect, it } from 'vitest';
import { useTestApi } from '../testing/stack.ts';

const api = useTestApi();

async function newTask(token: string, body: Record<string, unknown>) {
  const res = await api.json('POST', '/api/v1/tasks', { token, body });
  expect(res.status).toBe(201);
  return res.body;
}

describe('updateTask', () => {
  it('User Story 1 scenario 2: changes priority to Low and removes the urgent tag', async () => {
    const user = await api.signUp();
    const task = await newTask(user.token, { title: 'Report', priority: 'high', tags: ['work', 'urgent'] });
    const res = await api.json('PATCH', `/api/v1/tasks/${task.id}`, {
      token: user.token,
      body: { priority: 'low', tags: ['work'] },
    });
    expect(res.status).toBe(200);
    expect(res.body.priority).toBe('low');
    expect(res.body.tags.map((t: { name: string }) => t.name)).toEqual(['work']);
    const search = await api.json('GET', '/api/v1/tasks?search=urgent', { token: user.token });
    expect(search.body.items).toEqual([]);
  });

  it('PUT replaces every field; omitted ones return to defaults', async () => {
    const user = await api.signUp();
    const task = await newTask(user.token, { title: 'A', description: 'd', priority: 'high', tags: ['x'] });
    const res = await api.json('PUT', `/api/v1/tasks/${task.id}`, {
      token: user.token,
      body: { title: 'B' },
    });
    expect(res.body).toMatchObject({ title: 'B', description: '', priority: 'medium', tags: [] });
  });

  it('moving to done records completed_at and emits TaskCompleted; back out clears it', async () => {
    const user = await api.signUp();
    const task = await newTask(user.token, { title: 'Done via patch' });
    const done = await api.json('PATCH', `/api/v1/tasks/${task.id}`, {
      token: user.token,
      body: { status: 'done' },
    });
    expect(done.body.completed_at).not.toBeNull();
    const back = await api.json('PATCH', `/api/v1/tasks/${task.id}`, {
      token: user.token,
      body: { status: 'todo' },
    });
    expect(back.body.completed_at).toBeNull();
    const events = await api.stack.db
      .selectFrom('outbox')
      .select('event_type')
      .where('partition_key', '=', task.id)
      .orderBy('id')
      .execute();
    expect(events.map((e) => e.event_type)).toEqual(['TaskCreated.v1', 'TaskCompleted.v1', 'TaskUpdated.v1']);
  });

  it('records each change as answered: the event has the task as read back after, and as read before', async () => {
    const user = await api.signUp();
    const project = await api.json('POST', '/api/v1/projects', { token: user.token, body: { name: 'P' } });
    const task = await newTask(user.token, {
      title: 'Evented',
      tags: ['b', 'A'],
      due_at: '2031-01-01T09:00:00Z',
    });
    const parent = await newTask(user.token, { title: 'Parent' });
    await newTask(user.token, { title: 'Child', parent_id: parent.id, status: 'done' });
    const changes: [string, Record<string, unknown>][] = [
      [task.id, { title: 'Renamed', priority: 'low', description: 'd' }],
      [task.id, { due_at: '2031-02-03T04:05:06.789123+02:00', time_zone: 'Asia/Tokyo', reminders: [5, 60] }],
      [task.id, { recurrence: { rule: 'FREQ=WEEKLY;BYDAY=MO' } }],
      [task.id, { status: 'done' }],
      [task.id, { status: 'todo', tags: ['c'] }],
      [task.id, { project_id: project.body.id, assignee_id: user.id }],
      [parent.id, { title: 'Parent, renamed' }],
    ];
    for (const [id, body] of changes) {
      const before = await api.json('GET', `/api/v1/tasks/${id}`, { token: user.token });
      const res = await api.json('PATCH', `/api/v1/tasks/${id}`, { token: user.token, body });
      expect(res.status).toBe(200);
      const after = await api.json('GET', `/api/v1/tasks/${id}`, { token: user.token });
      expect(res.body).toEqual(after.body);
      const { cloud_event } = await api.stack.db
        .selectFrom('outbox')
        .select('cloud_event')
        .where('partition_key', '=', id)
        .orderBy('id', 'desc')
        .executeTakeFirstOrThrow();
      const { data } = cloud_event as { data: { task: unknown; previous: unknown } };
      expect(data.task).toEqual(after.body);
      expect(data.previous).toEqual(before.body);
    }
  });

  it('refuses to clear the due date of a task with reminders (400, not a database error)', async () => {
    const user = await api.signUp();
    const task = await newTask(user.token, { title: 'R', due_at: '2031-01-01T09:00:00Z', reminders: [15] });
    const res = await api.json('PATCH', `/api/v1/tasks/${task.id}`, {
      token: user.token,
      body: { due_at: null },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('body.due_at');
  });

  it('an empty patch, a bad status or an unknown tag id is a 400', async () => {
    const user = await api.signUp();
    const task = await newTask(user.token, { title: 'X' });
    for (const body of [{}, { status: 'finished' }, { tags: ['00000000-0000-4000-8000-000000000000'] }]) {
      const res = await api.json('PATCH', `/api/v1/tasks/${task.id}`, { token: user.token, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });
});

describe('updateTask: subtasks', () => {
  const patch = (token: string, id: string, body: Record<string, unknown>) =>
    api.json('PATCH', `/api/v1/tasks/${id}`, { token, body });
  const project = async (token: string, name: string) =>
    (await api.json('POST', '/api/v1/projects', { token, body: { name } })).body;

  it('PATCH parent_id makes a task a subtask (into its parent’s project) and null top-level again', async () => {
    const user = await api.signUp();
    const work = await project(user.token, 'Work');
    const parent = await newTask(user.token, { title: 'Release', project_id: work.id });
    const loose = await newTask(user.token, { title: 'Changelog' });

    const made = await patch(user.token, loose.id, { parent_id: parent.id });
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({ parent_id: parent.id, project_id: work.id, subtasks: null });
    // PUT without parent_id keeps it (a form editing a subtask need not know it is one).
    const put = await api.json('PUT', `/api/v1/tasks/${loose.id}`, {
      token: user.token,
      body: { title: 'Notes' },
    });
    expect(put.body).toMatchObject({ title: 'Notes', parent_id: parent.id });

    const freed = await patch(user.token, loose.id, { parent_id: null, project_id: put.body.project_id });
    expect(freed.body).toMatchObject({
      parent_id: null,
      project_id: work.id,
      subtasks: { total: 0, done: 0 },
    });
  });

  it('refuses what would break the rules: itself, two levels, a recurring subtask, a subtask moved alone', async () => {
    const user = await api.signUp();
    const parent = await newTask(user.token, { title: 'Parent' });
    const sub = await newTask(user.token, { title: 'Sub', parent_id: parent.id });
    const other = await newTask(user.token, { title: 'Other' });
    const daily = await newTask(user.token, {
      title: 'Daily',
      due_at: '2030-01-01T09:00:00Z',
      recurrence: { rule: 'FREQ=DAILY' },
    });
    const elsewhere = await project(user.token, 'Elsewhere');
    const refusals: [string, Record<string, unknown>, string, RegExp][] = [
      [parent.id, { parent_id: parent.id }, 'body.parent_id', /its own subtask/],
      [other.id, { parent_id: sub.id }, 'body.parent_id', /subtask itself/],
      [parent.id, { parent_id: other.id }, 'body.parent_id', /has subtasks of its own/],
      [daily.id, { parent_id: parent.id }, 'body.parent_id', /cannot repeat/],
      [
        sub.id,
        { due_at: '2030-01-01T09:00:00Z', recurrence: { rule: 'FREQ=DAILY' } },
        'body.recurrence',
        /cannot repeat/,
      ],
      [sub.id, { project_id: elsewhere.id }, 'body.project_id', /stays in its parent's project/],
      [other.id, { parent_id: parent.id, project_id: elsewhere.id }, 'body.project_id', /parent's project/],
    ];
    for (const [id, body, field, message] of refusals) {
      const res = await patch(user.token, id, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.errors[0]).toMatchObject({ field, message: expect.stringMatching(message) });
    }
    // A subtask leaves its parent and moves in one PATCH.
    const out = await patch(user.token, sub.id, { parent_id: null, project_id: elsewhere.id });
    expect(out.body).toMatchObject({ parent_id: null, project_id: elsewhere.id });
  });

  it('moving a parent to another project takes its subtasks along, each with a TaskUpdated', async () => {
    const user = await api.signUp();
    const home = await project(user.token, 'Home');
    const parent = await newTask(user.token, { title: 'Move house' });
    const subs = [
      await newTask(user.token, { title: 'Boxes', parent_id: parent.id }),
      await newTask(user.token, { title: 'Van', parent_id: parent.id }),
    ];
    const moved = await patch(user.token, parent.id, { project_id: home.id });
    expect(moved.body).toMatchObject({ project_id: home.id, subtasks: { total: 2, done: 0 } });
    const listed = await api.json('GET', `/api/v1/tasks?parent=${parent.id}`, { token: user.token });
    expect(listed.body.items.map((t: any) => t.project_id)).toEqual([home.id, home.id]);
    for (const sub of subs) {
      const events = await api.stack.db
        .selectFrom('outbox')
        .select('cloud_event')
        .where('partition_key', '=', sub.id)
        .where('event_type', '=', 'TaskUpdated.v1')
        .execute();
      expect(events).toHaveLength(1);
      const data = (events[0]!.cloud_event as any).data;
      expect([data.previous.project_id, data.task.project_id]).toEqual([sub.project_id, home.id]);
    }
  });
});
