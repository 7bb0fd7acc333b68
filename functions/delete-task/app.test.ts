import { describe, expect, it } from 'vitest';
import { useTestApi } from '../testing/stack.ts';

const api = useTestApi();

describe('deleteTask', () => {
  it('deletes a task, records TaskDeleted with the task as it was, and a second delete is a 404', async () => {
    const user = await api.signUp();
    const task = (
      await api.json('POST', '/api/v1/tasks', { token: user.token, body: { title: 'Gone', tags: ['t'] } })
    ).body;
    expect((await api.call('DELETE', `/api/v1/tasks/${task.id}`, { token: user.token })).status).toBe(204);
    expect((await api.json('GET', `/api/v1/tasks/${task.id}`, { token: user.token })).status).toBe(404);
    expect((await api.json('DELETE', `/api/v1/tasks/${task.id}`, { token: user.token })).status).toBe(404);
    const event = await api.stack.db
      .selectFrom('outbox')
      .select('cloud_event')
      .where('partition_key', '=', task.id)
      .where('event_type', '=', 'TaskDeleted.v1')
      .executeTakeFirstOrThrow();
    expect((event.cloud_event as { data: { task: { title: string } } }).data.task.title).toBe('Gone');
  });
});
