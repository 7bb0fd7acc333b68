import { describe, expect, it } from 'vitest';
import { useTestApi } from '../testing/stack.ts';

const api = useTestApi();

describe('completeTask', () => {
  it('completes and reopens a task', async () => {
    const user = await api.signUp();
    const task = (await api.json('POST', '/api/v1/tasks', { token: user.token, body: { title: 'Laundry' } }))
      .body;
    const done = await api.json('POST', `/api/v1/tasks/${task.id}/complete`, { token: user.token });
    expect(done.body).toMatchObject({ status: 'done' });
    expect(done.body.completed_at).not.toBeNull();
    const reopened = await api.json('POST', `/api/v1/tasks/${task.id}/reopen`, { token: user.token });
    expect(reopened.body).toMatchObject({ status: 'todo', completed_at: null });
  });

  it('completing twice emits TaskCompleted once', async () => {
    const user = await api.signUp();
    const task = (await api.json('POST', '/api/v1/tasks', { token: user.token, body: { title: 'Once' } }))
      .body;
    await api.json('POST', `/api/v1/tasks/${task.id}/complete`, { token: user.token });
    await api.json('POST', `/api/v1/tasks/${task.id}/complete`, { token: user.token });
    const completed = await api.stack.db
      .selectFrom('outbox')
      .select('event_type')
      .where('partition_key', '=', task.id)
      .where('event_type', '=', 'TaskCompleted.v1')
      .execute();
    expect(completed).toHaveLength(1);
  });
});

describe('completeTask: a parent and its open subtasks', () => {
  const post = async (token: string, body: Record<string, unknown>) =>
    (await api.json('POST', '/api/v1/tasks', { token, body })).body;
  const completions = (taskId: string) =>
    api.stack.db
      .selectFrom('outbox')
      .select('id')
      .where('partition_key', '=', taskId)
      .where('event_type', '=', 'TaskCompleted.v1')
      .execute();

  it('leaves them open by default; ?subtasks=complete completes them too, each with its TaskCompleted', async () => {
    const user = await api.signUp();
    const parent = await post(user.token, { title: 'Trip' });
    const a = await post(user.token, { title: 'Tickets', parent_id: parent.id });
    const b = await post(user.token, { title: 'Hotel', parent_id: parent.id, status: 'done' });

    const left = await api.json('POST', `/api/v1/tasks/${parent.id}/complete`, { token: user.token });
    expect(left.body).toMatchObject({ status: 'done', subtasks: { total: 2, done: 1 } });
    expect((await api.json('GET', `/api/v1/tasks/${a.id}`, { token: user.token })).body.status).toBe('todo');
    await api.json('POST', `/api/v1/tasks/${parent.id}/reopen`, { token: user.token });

    const all = await api.json('POST', `/api/v1/tasks/${parent.id}/complete?subtasks=complete`, {
      token: user.token,
    });
    expect(all.status).toBe(200);
    expect(all.body).toMatchObject({ status: 'done', subtasks: { total: 2, done: 2 } });
    const sub = (await api.json('GET', `/api/v1/tasks/${a.id}`, { token: user.token })).body;
    expect(sub.status).toBe('done');
    expect(sub.completed_at).not.toBeNull();
    // The open one got its TaskCompleted; the one already done got none.
    expect(await completions(a.id)).toHaveLength(1);
    expect(await completions(b.id)).toHaveLength(0);
    expect(await completions(parent.id)).toHaveLength(2);

    const bad = await api.json('POST', `/api/v1/tasks/${parent.id}/complete?subtasks=some`, {
      token: user.token,
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('query.subtasks');
  });
});
