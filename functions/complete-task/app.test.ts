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
