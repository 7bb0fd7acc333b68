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
