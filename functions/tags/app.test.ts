import { describe, expect, it } from 'vitest';
import { useTestApi } from '../testing/stack.ts';

const api = useTestApi();

describe('tags', () => {
  it('creates, lists with counts, renames and deletes tags', async () => {
    const user = await api.signUp();
    const work = await api.json('POST', '/api/v1/tags', { token: user.token, body: { name: 'work' } });
    expect(work.status).toBe(201);
    await api.json('POST', '/api/v1/tasks', { token: user.token, body: { title: 'T1', tags: ['work'] } });
    await api.json('POST', '/api/v1/tasks', {
      token: user.token,
      body: { title: 'T2', tags: ['work', 'home'] },
    });
    const list = await api.json('GET', '/api/v1/tags', { token: user.token });
    expect(list.body.items.map((t: { name: string; task_count: number }) => [t.name, t.task_count])).toEqual([
      ['home', 1],
      ['work', 2],
    ]);
    const renamed = await api.json('PATCH', `/api/v1/tags/${work.body.id}`, {
      token: user.token,
      body: { name: 'office' },
    });
    expect(renamed.body.name).toBe('office');
    // Search follows the new name.
    const found = await api.json('GET', '/api/v1/tasks?search=office', { token: user.token });
    expect(found.body.items).toHaveLength(2);
    expect((await api.call('DELETE', `/api/v1/tags/${work.body.id}`, { token: user.token })).status).toBe(
      204,
    );
    const after = await api.json('GET', '/api/v1/tasks?search=office', { token: user.token });
    expect(after.body.items).toHaveLength(0);
  });

  it('tag names are unique per user, case-insensitively (409), but two users may share a name', async () => {
    const a = await api.signUp();
    const b = await api.signUp();
    await api.json('POST', '/api/v1/tags', { token: a.token, body: { name: 'Work' } });
    expect((await api.json('POST', '/api/v1/tags', { token: a.token, body: { name: 'work' } })).status).toBe(
      409,
    );
    expect((await api.json('POST', '/api/v1/tags', { token: b.token, body: { name: 'work' } })).status).toBe(
      201,
    );
    const other = await api.json('POST', '/api/v1/tags', { token: a.token, body: { name: 'home' } });
    const clash = await api.json('PUT', `/api/v1/tags/${other.body.id}`, {
      token: a.token,
      body: { name: 'WORK' },
    });
    expect(clash.status).toBe(409);
  });

  it('rejects empty and over-long names with a 400', async () => {
    const user = await api.signUp();
    for (const name of ['', '   ', 'x'.repeat(65)]) {
      expect((await api.json('POST', '/api/v1/tags', { token: user.token, body: { name } })).status).toBe(
        400,
      );
    }
  });
});
