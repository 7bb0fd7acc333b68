import { beforeAll, describe, expect, it } from 'vitest';
import { type TestUser, useTestApi } from '../testing/stack.ts';

const api = useTestApi();
let user: TestUser;
const titles = (body: { items: { title: string }[] }) => body.items.map((t) => t.title);

beforeAll(async () => {
  user = await api.signUp();
  const seed = [
    {
      title: 'Write report',
      priority: 'high',
      status: 'in_progress',
      tags: ['work', 'urgent'],
      due_at: '2030-01-05T10:00:00Z',
    },
    { title: 'Buy milk', priority: 'low', tags: ['home'], due_at: '2020-01-01T10:00:00Z' },
    { title: 'Call plumber', priority: 'high', status: 'todo', tags: ['home', 'urgent'] },
    {
      title: 'Plan offsite',
      description: 'urgent-ish but not tagged',
      priority: 'medium',
      status: 'in_progress',
      tags: ['work'],
      due_at: '2030-01-02T10:00:00Z',
    },
    {
      title: 'Fix bug 42',
      priority: 'high',
      status: 'in_progress',
      tags: ['work'],
      due_at: '2030-01-03T10:00:00Z',
    },
  ];
  for (const body of seed) {
    const res = await api.json('POST', '/api/v1/tasks', { token: user.token, body });
    expect(res.status).toBe(201);
  }
});

describe('listTasks (User Story 1)', () => {
  it('scenario 3: searching "urgent" finds tasks tagged urgent (and text mentioning it)', async () => {
    const res = await api.json('GET', '/api/v1/tasks?search=urgent', { token: user.token });
    expect(titles(res.body).sort()).toEqual(['Call plumber', 'Plan offsite', 'Write report']);
  });

  it('search is case-insensitive and every word must match', async () => {
    const res = await api.json('GET', '/api/v1/tasks?search=WRITE%20Report', { token: user.token });
    expect(titles(res.body)).toEqual(['Write report']);
  });

  it('search treats % and _ as plain characters', async () => {
    const res = await api.json('GET', '/api/v1/tasks?search=%25', { token: user.token });
    expect(res.body.items).toEqual([]);
  });

  it('scenario 4: filters by High priority and In Progress status together', async () => {
    const res = await api.json('GET', '/api/v1/tasks?priority=high&status=in_progress', {
      token: user.token,
    });
    expect(titles(res.body).sort()).toEqual(['Fix bug 42', 'Write report']);
  });

  it('scenario 5: sorts by priority from High to Low, semantically not alphabetically', async () => {
    const res = await api.json('GET', '/api/v1/tasks?sort_by=priority', { token: user.token });
    const priorities = res.body.items.map((t: { priority: string }) => t.priority);
    expect(priorities).toEqual(['high', 'high', 'high', 'medium', 'low']);
    const asc = await api.json('GET', '/api/v1/tasks?sort_by=priority&order=asc', { token: user.token });
    expect(asc.body.items[0].priority).toBe('low');
  });

  it('sorts by due date with tasks without one last, in both directions', async () => {
    const asc = await api.json('GET', '/api/v1/tasks?sort_by=due_date&order=asc', { token: user.token });
    expect(titles(asc.body)).toEqual([
      'Buy milk',
      'Plan offsite',
      'Fix bug 42',
      'Write report',
      'Call plumber',
    ]);
    const desc = await api.json('GET', '/api/v1/tasks?sort_by=due_date&order=desc', { token: user.token });
    expect(titles(desc.body)).toEqual([
      'Write report',
      'Fix bug 42',
      'Plan offsite',
      'Buy milk',
      'Call plumber',
    ]);
  });

  it('filters by several tags (all must match), by id or by name', async () => {
    const tags = await api.json('GET', '/api/v1/tags', { token: user.token });
    const work = tags.body.items.find((t: { name: string }) => t.name === 'work');
    const res = await api.json('GET', `/api/v1/tasks?tags=${work.id},URGENT`, { token: user.token });
    expect(titles(res.body)).toEqual(['Write report']);
    const none = await api.json('GET', '/api/v1/tasks?tags=nonexistent', { token: user.token });
    expect(none.body.items).toEqual([]);
  });

  it('filters overdue tasks and due ranges', async () => {
    const overdue = await api.json('GET', '/api/v1/tasks?overdue=true', { token: user.token });
    expect(titles(overdue.body)).toEqual(['Buy milk']);
    const range = await api.json(
      'GET',
      '/api/v1/tasks?due_from=2030-01-02T00:00:00Z&due_to=2030-01-03T23:59:59Z&sort_by=due_date',
      { token: user.token },
    );
    expect(titles(range.body)).toEqual(['Plan offsite', 'Fix bug 42']);
  });

  it('pages with a cursor in a stable order, without repeats or gaps', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/api/v1/tasks?sort_by=priority&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await api.json('GET', q, { token: user.token });
      expect(page.status).toBe(200);
      seen.push(...titles(page.body));
      cursor = page.body.next_cursor;
    } while (cursor);
    const all = await api.json('GET', '/api/v1/tasks?sort_by=priority', { token: user.token });
    expect(seen).toEqual(titles(all.body));
  });

  it('rejects a cursor from another sort, and bad parameters, with a 400 naming the field', async () => {
    const page = await api.json('GET', '/api/v1/tasks?sort_by=title&limit=1', { token: user.token });
    const wrong = await api.json('GET', `/api/v1/tasks?sort_by=priority&cursor=${page.body.next_cursor}`, {
      token: user.token,
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.errors[0].field).toBe('query.cursor');
    for (const [q, field] of [
      ['sort_by=colour', 'query.sort_by'],
      ['priority=urgent', 'query.priority'],
      ['limit=0', 'query.limit'],
      ['due_from=yesterday', 'query.due_from'],
      ['bogus=1', 'query'],
    ]) {
      const res = await api.json('GET', `/api/v1/tasks?${q}`, { token: user.token });
      expect(res.status, q).toBe(400);
      expect(JSON.stringify(res.body.errors), q).toContain(field);
    }
  });

  it('filters by project, with the other filters and paging; every task says its project', async () => {
    const owner = await api.signUp();
    const token = owner.token;
    const project = await api.json('POST', '/api/v1/projects', { token, body: { name: 'Garden' } });
    const inbox = (await api.json('GET', '/api/v1/projects', { token })).body.items[0];
    for (const [title, project_id, priority] of [
      ['Mow', project.body.id, 'high'],
      ['Weed', project.body.id, 'low'],
      ['Prune', project.body.id, 'high'],
      ['Elsewhere', undefined, 'high'],
    ]) {
      await api.json('POST', '/api/v1/tasks', { token, body: { title, project_id, priority } });
    }
    const garden = `project=${project.body.id}`;
    const all = await api.json('GET', `/api/v1/tasks?${garden}&sort_by=title`, { token });
    expect(titles(all.body)).toEqual(['Mow', 'Prune', 'Weed']);
    expect(new Set(all.body.items.map((t: { project_id: string }) => t.project_id))).toEqual(
      new Set([project.body.id]),
    );
    const high = await api.json('GET', `/api/v1/tasks?${garden}&priority=high&sort_by=title`, { token });
    expect(titles(high.body)).toEqual(['Mow', 'Prune']);
    const first = await api.json('GET', `/api/v1/tasks?${garden}&limit=2`, { token });
    const rest = await api.json('GET', `/api/v1/tasks?${garden}&limit=2&cursor=${first.body.next_cursor}`, {
      token,
    });
    expect([...titles(first.body), ...titles(rest.body)]).toEqual(['Prune', 'Weed', 'Mow']);
    expect(rest.body.next_cursor).toBeNull();
    const inInbox = await api.json('GET', `/api/v1/tasks?project=${inbox.id}`, { token });
    expect(titles(inInbox.body)).toEqual(['Elsewhere']);
    // Another user's project (or none at all) matches nothing, as an unknown tag does.
    const theirs = await api.json('GET', `/api/v1/tasks?${garden}`, { token: user.token });
    expect(theirs.body.items).toEqual([]);
  });

  it('gets one task by id; a malformed id is a 400, an unknown one a 404', async () => {
    const list = await api.json('GET', '/api/v1/tasks?limit=1', { token: user.token });
    const one = await api.json('GET', `/api/v1/tasks/${list.body.items[0].id}`, { token: user.token });
    expect(one.body.id).toBe(list.body.items[0].id);
    expect((await api.json('GET', '/api/v1/tasks/not-a-uuid', { token: user.token })).status).toBe(400);
    const missing = await api.json('GET', '/api/v1/tasks/00000000-0000-4000-8000-000000000000', {
      token: user.token,
    });
    expect(missing.status).toBe(404);
  });
});

describe('listTasks: subtasks', () => {
  it('lists top-level tasks with their counts; ?parent= a task’s subtasks; a search finds subtasks too', async () => {
    const owner = await api.signUp();
    const other = await api.signUp();
    const { token } = owner;
    const post = async (body: Record<string, unknown>) =>
      (await api.json('POST', '/api/v1/tasks', { token, body })).body;
    const trip = await post({ title: 'Trip' });
    const passport = await post({ title: 'Renew passport', parent_id: trip.id, status: 'done' });
    const visa = await post({ title: 'Visa', parent_id: trip.id });
    await post({ title: 'Groceries' });
    const names = (res: { body: { items: { title: string }[] } }) => res.body.items.map((t) => t.title);

    const top = await api.json('GET', '/api/v1/tasks?sort_by=title', { token });
    expect(names(top)).toEqual(['Groceries', 'Trip']);
    expect(top.body.items.map((t: any) => [t.parent_id, t.subtasks])).toEqual([
      [null, { total: 0, done: 0 }],
      [null, { total: 2, done: 1 }],
    ]);

    const children = await api.json('GET', `/api/v1/tasks?parent=${trip.id}&sort_by=created_at&order=asc`, {
      token,
    });
    expect(children.body.items.map((t: any) => [t.id, t.parent_id, t.subtasks])).toEqual([
      [passport.id, trip.id, null],
      [visa.id, trip.id, null],
    ]);
    // The other filters apply within a parent's subtasks; another user's task has none for this one.
    const open = await api.json('GET', `/api/v1/tasks?parent=${trip.id}&status=todo`, { token });
    expect(names(open)).toEqual(['Visa']);
    expect(
      (await api.json('GET', `/api/v1/tasks?parent=${trip.id}`, { token: other.token })).body.items,
    ).toEqual([]);
    const bad = await api.json('GET', '/api/v1/tasks?parent=trip', { token });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('query.parent');

    // A search matches subtasks as well; parent_id says whose they are.
    const found = await api.json('GET', '/api/v1/tasks?search=passport', { token });
    expect(found.body.items.map((t: any) => [t.title, t.parent_id])).toEqual([['Renew passport', trip.id]]);
  });
});
