import { sql } from 'kysely';
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

  it("records the task as answered in its event — the Inbox and the user's time zone the database set", async () => {
    const user = await api.signUp();
    await api.stack.db
      .updateTable('users')
      .set({ time_zone: 'Asia/Tokyo' })
      .where('id', '=', user.id)
      .execute();
    const project = await api.json('POST', '/api/v1/projects', { token: user.token, body: { name: 'Work' } });
    const inbox = await api.stack.db
      .selectFrom('projects')
      .select('id')
      .where('user_id', '=', user.id)
      .where('is_inbox', '=', true)
      .executeTakeFirstOrThrow();
    const bodies = [
      { title: 'Inbox, tagged', tags: ['a'], due_at: '2031-01-01T09:00:00.123456Z', reminders: [10] },
      { title: 'Inbox, done, zoned', status: 'done', time_zone: 'Europe/Paris' },
      { title: 'In a project', project_id: project.body.id, tags: ['b', 'a'] },
    ];
    for (const body of bodies) {
      const res = await api.json('POST', '/api/v1/tasks', { token: user.token, body });
      expect(res.status).toBe(201);
      const { cloud_event } = await api.stack.db
        .selectFrom('outbox')
        .select('cloud_event')
        .where('partition_key', '=', res.body.id)
        .executeTakeFirstOrThrow();
      expect((cloud_event as { data: { task: unknown } }).data.task).toEqual(res.body);
      const read = await api.json('GET', `/api/v1/tasks/${res.body.id}`, { token: user.token });
      expect(read.body).toEqual(res.body);
    }
    const [inProject, zoned, tagged] = await api.stack.db
      .selectFrom('tasks')
      .select(['project_id', 'time_zone'])
      .where('user_id', '=', user.id)
      .orderBy('title')
      .execute();
    expect(tagged).toEqual({ project_id: inbox.id, time_zone: 'Asia/Tokyo' });
    expect(zoned).toEqual({ project_id: inbox.id, time_zone: 'Europe/Paris' });
    expect(inProject).toEqual({ project_id: project.body.id, time_zone: 'Asia/Tokyo' });
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

  it('names existing and new tags in one statement: the new ones are created once, the old ones reused', async () => {
    const user = await api.signUp();
    const first = await api.json('POST', '/api/v1/tasks', {
      token: user.token,
      body: { title: 'A', tags: ['Home'] },
    });
    const second = await api.json('POST', '/api/v1/tasks', {
      token: user.token,
      body: { title: 'B', tags: ['home', 'Garden', 'GARDEN'] },
    });
    expect(second.status).toBe(201);
    const home = first.body.tags[0];
    expect(second.body.tags).toEqual([{ id: expect.any(String), name: 'GARDEN' }, home]);
    const tags = await api.stack.db
      .selectFrom('tags')
      .select('name')
      .where('user_id', '=', user.id)
      .execute();
    expect(tags.map((t) => t.name).sort()).toEqual(['GARDEN', 'Home']);
    const row = await api.stack.db
      .selectFrom('tasks')
      .select('tag_names')
      .where('id', '=', second.body.id)
      .executeTakeFirstOrThrow();
    expect(row.tag_names).toBe('GARDEN Home');
  });

  it('links a tag another request creates while the task is written, without a second copy of it', async () => {
    const user = await api.signUp();
    const db = api.stack.db;
    // Another transaction inserts the tag and keeps it uncommitted, so the create's insert of the same
    // name waits on it; once it commits, the create's statement has skipped the name (ON CONFLICT) and
    // cannot see it either (its snapshot is older).
    let tagId = '';
    const { pending } = await db.transaction().execute(async (trx) => {
      const tag = await trx
        .insertInto('tags')
        .values({ user_id: user.id, name: 'Shared' })
        .returning('id')
        .executeTakeFirstOrThrow();
      tagId = tag.id;
      const pending = api.json('POST', '/api/v1/tasks', {
        token: user.token,
        body: { title: 'Raced', tags: ['shared', 'fresh'] },
      });
      for (let waited = 0; ; waited += 20) {
        const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where wait_event_type = 'Lock' and query like '%insert into tags%'`.execute(db);
        if (rows[0]!.n > 0) break;
        if (waited > 10_000) throw new Error('the create never waited on the uncommitted tag');
        await new Promise((r) => setTimeout(r, 20));
      }
      return { pending }; // not the promise itself, which the transaction would wait for before committing
    });
    const created = await pending;
    expect(created.status).toBe(201);
    expect(created.body.tags).toEqual([
      { id: expect.any(String), name: 'fresh' },
      { id: tagId, name: 'Shared' },
    ]);
    const tags = await db.selectFrom('tags').select('name').where('user_id', '=', user.id).execute();
    expect(tags.map((t) => t.name).sort()).toEqual(['Shared', 'fresh']);
    const got = await api.json('GET', `/api/v1/tasks/${created.body.id}`, { token: user.token });
    expect(got.body.tags).toEqual(created.body.tags);
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

describe('createTask: subtasks (one level)', () => {
  const post = (token: string, body: Record<string, unknown>) =>
    api.json('POST', '/api/v1/tasks', { token, body });
  const fieldsOf = (res: { body: any }) => res.body.errors.map((e: { field: string }) => e.field);

  it("creates a subtask in its parent's project; the parent counts it", async () => {
    const user = await api.signUp();
    const project = await api.json('POST', '/api/v1/projects', { token: user.token, body: { name: 'Trip' } });
    const parent = (await post(user.token, { title: 'Pack', project_id: project.body.id })).body;
    expect(parent).toMatchObject({ parent_id: null, subtasks: { total: 0, done: 0 } });

    const sub = await post(user.token, { title: 'Socks', parent_id: parent.id, tags: ['clothes'] });
    expect(sub.status).toBe(201);
    // It inherits the parent's project; a subtask has no counts of its own (it cannot have subtasks).
    expect(sub.body).toMatchObject({ parent_id: parent.id, project_id: project.body.id, subtasks: null });
    // Naming the parent's project is fine, and an id in capitals is the same id.
    const same = await post(user.token, {
      title: 'Charger',
      parent_id: parent.id.toUpperCase(),
      project_id: project.body.id,
      status: 'done',
    });
    expect(same.status).toBe(201);
    expect(same.body.parent_id).toBe(parent.id);
    const read = await api.json('GET', `/api/v1/tasks/${parent.id}`, { token: user.token });
    expect(read.body.subtasks).toEqual({ total: 2, done: 1 });
  });

  it('refuses a subtask of a subtask, of a task not the caller’s, in another project, or repeating', async () => {
    const user = await api.signUp();
    const other = await api.signUp();
    const parent = (await post(user.token, { title: 'Parent' })).body;
    const sub = (await post(user.token, { title: 'Child', parent_id: parent.id })).body;

    const deeper = await post(user.token, { title: 'Grandchild', parent_id: sub.id });
    expect(deeper.status).toBe(400);
    expect(deeper.body.errors[0]).toMatchObject({
      field: 'body.parent_id',
      message: expect.stringMatching(/one level/),
    });

    // Another user's task reads exactly like one that does not exist.
    const foreign = await post(other.token, { title: 'Sneak', parent_id: parent.id });
    const missing = await post(user.token, { title: 'Lost', parent_id: crypto.randomUUID() });
    for (const res of [foreign, missing]) {
      expect(res.status).toBe(400);
      expect(res.body.errors[0].message).toMatch(/^no task with id /);
    }

    const project = await api.json('POST', '/api/v1/projects', {
      token: user.token,
      body: { name: 'Elsewhere' },
    });
    const elsewhere = await post(user.token, {
      title: 'Moved',
      parent_id: parent.id,
      project_id: project.body.id,
    });
    expect(elsewhere.status).toBe(400);
    expect(fieldsOf(elsewhere)).toEqual(['body.project_id']);

    const repeating = await post(user.token, {
      title: 'Daily',
      parent_id: parent.id,
      due_at: '2030-01-01T09:00:00Z',
      recurrence: { rule: 'FREQ=DAILY' },
    });
    expect(repeating.status).toBe(400);
    expect(fieldsOf(repeating)).toEqual(['body.recurrence']);

    // A parent in an archived project takes no new subtasks, as the project takes no new tasks.
    const archived = (await post(user.token, { title: 'Old', project_id: project.body.id })).body;
    await api.json('PATCH', `/api/v1/projects/${project.body.id}`, {
      token: user.token,
      body: { archived: true },
    });
    const late = await post(user.token, { title: 'Late', parent_id: archived.id });
    expect(late.status).toBe(400);
    expect(late.body.errors[0]).toMatchObject({
      field: 'body.parent_id',
      message: expect.stringMatching(/archived/),
    });

    const bad = await post(user.token, { title: 'Bad', parent_id: 'not-a-uuid' });
    expect(fieldsOf(bad)).toEqual(['body.parent_id']);
    const count = await api.stack.db
      .selectFrom('tasks')
      .select('id')
      .where('parent_id', '=', parent.id)
      .execute();
    expect(count).toHaveLength(1);
  });
});
