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

describe('deleteTask: a parent', () => {
  it('takes its subtasks with it, with a TaskDeleted for each (their reminders are cancelled)', async () => {
    const user = await api.signUp();
    const post = async (body: Record<string, unknown>) =>
      (await api.json('POST', '/api/v1/tasks', { token: user.token, body })).body;
    const parent = await post({ title: 'Party' });
    const subs = [
      await post({ title: 'Cake', parent_id: parent.id, due_at: '2030-01-01T09:00:00Z', reminders: [60] }),
      await post({ title: 'Balloons', parent_id: parent.id }),
    ];
    const keep = await post({ title: 'Unrelated' });
    const reminderJobs = () =>
      api.stack.db
        .selectFrom('scheduled_jobs')
        .select('name')
        .where('name', 'like', `%${subs[0]!.id}%`)
        .execute();
    await api.settle();
    expect(await reminderJobs()).toHaveLength(1);
    expect((await api.call('DELETE', `/api/v1/tasks/${parent.id}`, { token: user.token })).status).toBe(204);
    await api.settle();
    expect(await reminderJobs()).toEqual([]);
    for (const sub of subs) {
      expect((await api.json('GET', `/api/v1/tasks/${sub.id}`, { token: user.token })).status).toBe(404);
      const event = await api.stack.db
        .selectFrom('outbox')
        .select('cloud_event')
        .where('partition_key', '=', sub.id)
        .where('event_type', '=', 'TaskDeleted.v1')
        .executeTakeFirstOrThrow();
      expect((event.cloud_event as any).data.task).toMatchObject({ id: sub.id, parent_id: parent.id });
    }
    expect((await api.json('GET', `/api/v1/tasks/${keep.id}`, { token: user.token })).status).toBe(200);
    // Deleting a subtask leaves its parent.
    const other = await post({ title: 'Other' });
    const one = await post({ title: 'One', parent_id: other.id });
    await api.call('DELETE', `/api/v1/tasks/${one.id}`, { token: user.token });
    const after = await api.json('GET', `/api/v1/tasks/${other.id}`, { token: user.token });
    expect(after.body.subtasks).toEqual({ total: 0, done: 0 });
  });
});
