import { describe, expect, it } from 'vitest';
import { useTestApi } from '../testing/stack.ts';

const api = useTestApi();

describe('createTask', () => {
  it('creates a high-priority task tagged work and urgent (User Story 1, scenario 1)', async () => {
    const user = await api.signUp();
    const res = await api.json('POST', '/api/v1/tasks', {
      token: user.token,
      body: { title: 'Ship the release', priority: 'high', tags: ['work', 'urgent'] },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ title: 'Ship the release', priority: 'high', status: 'todo' });
    expect(res.body.tags.map((t: { name: string }) => t.name)).toEqual(['urgent', 'work']);
  });

  it('defaults to medium priority, status todo and the user time zone', async () => {
    const user = await api.signUp();
    const res = await api.json('POST', '/api/v1/tasks', { token: user.token, body: { title: 'Plain' } });
    expect(res.body).toMatchObject({ priority: 'medium', status: 'todo', time_zone: 'UTC', due_at: null });
  });

  it('writes the task and its TaskCreated event in the same transaction', async () => {
    const user = await api.signUp();
    const res = await api.json('POST', '/api/v1/tasks', { token: user.token, body: { title: 'Evented' } });
    const rows = await api.stack.db
      .selectFrom('outbox')
      .selectAll()
      .where('partition_key', '=', res.body.id)
      .execute();
    expect(rows.map((r) => r.event_type)).toEqual(['TaskCreated.v1']);
    expect(rows[0]!.topic).toBe('task-events');
  });

  it('reuses a tag given by id and one given by name in any case', async () => {
    const user = await api.signUp();
    const tag = await api.json('POST', '/api/v1/tags', { token: user.token, body: { name: 'Home' } });
    const res = await api.json('POST', '/api/v1/tasks', {
      token: user.token,
      body: { title: 'Fix sink', tags: [tag.body.id, 'home', 'plumbing'] },
    });
    expect(res.body.tags.map((t: { name: string }) => t.name)).toEqual(['Home', 'plumbing']);
  });

  it("lists a task's tags in the same order when written and when read back", async () => {
    const user = await api.signUp();
    const tags = ['beta', 'Alpha', 'alpha2', 'Zed', '_x', 'émigré', 'ZZ top', 'a'];
    const created = await api.json('POST', '/api/v1/tasks', {
      token: user.token,
      body: { title: 'Tagged', tags },
    });
    const written = created.body.tags.map((t: { name: string }) => t.name);
    expect(written).toEqual(['_x', 'a', 'Alpha', 'alpha2', 'beta', 'Zed', 'ZZ top', 'émigré']);
    const read = await api.json('GET', `/api/v1/tasks/${created.body.id}`, { token: user.token });
    expect(read.body.tags.map((t: { name: string }) => t.name)).toEqual(written);
    const listed = await api.json('GET', '/api/v1/tasks', { token: user.token });
    expect(listed.body.items[0].tags.map((t: { name: string }) => t.name)).toEqual(written);
  });

  it('rejects a recurring task without a due date with a 400 naming the field', async () => {
    const user = await api.signUp();
    const res = await api.json('POST', '/api/v1/tasks', {
      token: user.token,
      body: { title: 'Standup', recurrence: { rule: 'FREQ=DAILY' } },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('body.due_at');
  });

  it('rejects unknown fields, bad enums and malformed JSON as problem+json', async () => {
    const user = await api.signUp();
    const bad = await api.call('POST', '/api/v1/tasks', {
      token: user.token,
      body: { title: 'x', priority: 'urgent' },
    });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
    expect(JSON.stringify(await bad.json())).toContain('body.priority');
    const typo = await api.json('POST', '/api/v1/tasks', {
      token: user.token,
      body: { title: 'x', prio: 'high' },
    });
    expect(typo.status).toBe(400);
    const broken = await api.call('POST', '/api/v1/tasks', { token: user.token, rawBody: '{"title": ' });
    expect(broken.status).toBe(400);
  });

  it('needs a token', async () => {
    const res = await api.json('POST', '/api/v1/tasks', { body: { title: 'x' } });
    expect(res.status).toBe(401);
  });
});
