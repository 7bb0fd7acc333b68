// Issue 10, "server errors and contract breaks": each class schemathesis found, through the gateway as a
// client sees it. The fuzzing tier (fuzz.test.ts) looks for more; these keep the known ones fixed.
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { catalog, type HttpRoute } from '../catalog.ts';
import { useTestApi } from '../testing/stack.ts';
import { problemStatuses } from './openapi.ts';

const api = useTestApi();

const routeOf = (method: string, path: string): HttpRoute => {
  const route = catalog.flatMap((f) => f.routes).find((r) => r.method === method && r.path === path);
  if (!route) throw new Error(`no catalog route ${method} ${path}`);
  return route;
};

/** The body against the route's documented response schema, with no key it does not declare. */
function expectConforms(route: HttpRoute, body: unknown) {
  const schema = route.response as z.ZodObject;
  const result = schema.strict().safeParse(body);
  expect(result.success, `${route.method} ${route.path}: ${result.error?.message}`).toBe(true);
}

async function createTask(token: string, body: Record<string, unknown> = { title: 'Task' }) {
  const res = await api.json('POST', '/api/v1/tasks', { token, body });
  expect(res.status).toBe(201);
  return res.body as { id: string };
}

describe('NUL bytes and lone surrogates never reach Postgres: 400 naming the field', () => {
  it.each([
    ['POST', '/api/v1/tasks', { title: 'a\u0000b' }, 'body.title'],
    ['POST', '/api/v1/tasks', { title: 'ok', description: '\u0000' }, 'body.description'],
    ['POST', '/api/v1/tasks', { title: 'ok', tags: ['work', 'x\u0000'] }, 'body.tags.1'],
    ['POST', '/api/v1/tasks', { title: 'lone \ud800 surrogate' }, 'body.title'],
    ['POST', '/api/v1/tags', { name: '\u0000' }, 'body.name'],
    ['POST', '/api/v1/quick-add', { text: 'pay rent\u0000 #bills' }, 'body.text'],
    ['POST', '/api/v1/quick-add/parse', { text: '\udc00' }, 'body.text'],
    ['POST', '/api/v1/chat/preview', { message: 'hi\u0000' }, 'body.message'],
  ])('%s %s %j → 400 at %s', async (method, path, body, field) => {
    const user = await api.signUp();
    const res = await api.json(method, path, { token: user.token, body });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('PUT and PATCH /tasks/{id} too, and a tags= or search= query value', async () => {
    const user = await api.signUp();
    const task = await createTask(user.token);
    for (const method of ['PUT', 'PATCH']) {
      const res = await api.json(method, `/api/v1/tasks/${task.id}`, {
        token: user.token,
        body: { title: 'x\u0000' },
      });
      expect(res.status, method).toBe(400);
    }
    for (const query of ['tags=work,%00', 'search=a%00b', 'cursor=%00']) {
      const res = await api.json('GET', `/api/v1/tasks?${query}`, { token: user.token });
      expect(res.status, query).toBe(400);
    }
  });
});

describe('date-times and cursors Postgres would refuse are 400s at validation', () => {
  it.each(['0374-08-06T15:10:14.205+18:09', '0000-03-01T00:00:00Z'])('due_at %s', async (due) => {
    const user = await api.signUp();
    const res = await api.json('POST', '/api/v1/tasks', {
      token: user.token,
      body: { title: 't', due_at: due },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors[0].field).toBe('body.due_at');
    const list = await api.json('GET', `/api/v1/tasks?due_from=${encodeURIComponent(due)}`, {
      token: user.token,
    });
    expect(list.status).toBe(400);
  });

  it('hand-made cursors: a key that is not of the sort’s type, a non-UUID id', async () => {
    const user = await api.signUp();
    const cursor = (c: unknown) => Buffer.from(JSON.stringify(c)).toString('base64url');
    const bad = [
      ['created_at:desc', cursor({ s: 'created_at:desc', k: 'not a time', id: crypto.randomUUID() })],
      ['priority:desc', cursor({ s: 'priority:desc', k: '99999999', id: crypto.randomUUID() })],
      ['due_date:asc', cursor({ s: 'due_date:asc', k: '2024-13-45 25:00:00+00', id: crypto.randomUUID() })],
      ['title:asc', cursor({ s: 'title:asc', k: 'a', id: '------------------------------------' })],
      ['title:asc', cursor({ s: 'title:asc', k: 'a\u0000', id: crypto.randomUUID() })],
    ];
    for (const [sort, c] of bad) {
      const [by, order] = sort!.split(':');
      const res = await api.json('GET', `/api/v1/tasks?sort_by=${by}&order=${order}&cursor=${c}`, {
        token: user.token,
      });
      expect(res.status, `${sort} ${c}`).toBe(400);
    }
    const note = Buffer.from(JSON.stringify(['2024-01-01T00:00:00.000Z', 'not-a-uuid'])).toString(
      'base64url',
    );
    const res = await api.json('GET', `/api/v1/notifications?cursor=${note}`, { token: user.token });
    expect(res.status).toBe(400);
  });

  it('real cursors still page', async () => {
    const user = await api.signUp();
    for (const title of ['a', 'b', 'c']) await createTask(user.token, { title, priority: 'high' });
    for (const sort of ['created_at', 'priority', 'due_date', 'title']) {
      const first = await api.json('GET', `/api/v1/tasks?sort_by=${sort}&limit=2`, { token: user.token });
      const next = await api.json(
        'GET',
        `/api/v1/tasks?sort_by=${sort}&limit=2&cursor=${first.body.next_cursor}`,
        { token: user.token },
      );
      expect(next.status, sort).toBe(200);
      expect(next.body.items, sort).toHaveLength(1);
    }
  });
});

describe('a deleted task', () => {
  it('GET /tasks/{id}/reminders after DELETE → 404 (was 200 with the receipts)', async () => {
    const user = await api.signUp();
    const task = await createTask(user.token, {
      title: 'Soon',
      due_at: '2099-01-01T09:00:00Z',
      reminders: [10],
    });
    expect((await api.json('GET', `/api/v1/tasks/${task.id}/reminders`, { token: user.token })).status).toBe(
      200,
    );
    expect((await api.call('DELETE', `/api/v1/tasks/${task.id}`, { token: user.token })).status).toBe(204);
    const res = await api.json('GET', `/api/v1/tasks/${task.id}/reminders`, { token: user.token });
    expect(res.status).toBe(404);
  });
});

describe('responses keep their own schema; statuses returned are documented', () => {
  it('PUT and PATCH /tags/{id} return what the document says (task_count was undeclared)', async () => {
    const user = await api.signUp();
    const tag = (await api.json('POST', '/api/v1/tags', { token: user.token, body: { name: 'home' } })).body;
    expectConforms(routeOf('POST', '/api/v1/tags'), tag);
    for (const method of ['PUT', 'PATCH'] as const) {
      const res = await api.json(method, `/api/v1/tags/${tag.id}`, {
        token: user.token,
        body: { name: `home-${method}` },
      });
      expect(res.status).toBe(200);
      expectConforms(routeOf(method, '/api/v1/tags/:id'), res.body);
    }
    const list = await api.json('GET', '/api/v1/tags', { token: user.token });
    expectConforms(routeOf('GET', '/api/v1/tags'), list.body);
  });

  it('POST /quick-add returns the task with its notes, as documented (notes was undeclared)', async () => {
    const user = await api.signUp();
    const res = await api.json('POST', '/api/v1/quick-add', {
      token: user.token,
      body: { text: 'call mum' },
    });
    expect(res.status).toBe(201);
    expectConforms(routeOf('POST', '/api/v1/quick-add'), res.body);
    expectConforms(routeOf('GET', '/api/v1/auth/me'), (await api.json('GET', '/api/v1/auth/me', user)).body);
  });

  it('409s the code returns are in the document (from the catalog’s `problems`)', async () => {
    const user = await api.signUp();
    const doc = (await api.json('GET', '/api/v1/openapi.json')).body;
    await api.json('POST', '/api/v1/tags', { token: user.token, body: { name: 'dup' } });
    const again = await api.json('POST', '/api/v1/tags', { token: user.token, body: { name: 'dup' } });
    expect(again.status).toBe(409);
    expect(doc.paths['/api/v1/tags'].post.responses['409']).toBeDefined();
    for (const fn of catalog) {
      for (const route of fn.routes) {
        const op = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')][route.method.toLowerCase()];
        const documented = Object.keys(op.responses).map(Number);
        expect(documented, `${route.method} ${route.path}`).toEqual(
          expect.arrayContaining([route.status, ...problemStatuses(route)]),
        );
      }
    }
    for (const [method, path] of <const>[
      ['post', '/api/v1/auth/signup'],
      ['put', '/api/v1/tags/{id}'],
      ['patch', '/api/v1/tags/{id}'],
      ['post', '/api/v1/series/{id}/skip'],
      ['post', '/api/v1/notifications/{id}/snooze'],
    ]) {
      expect(doc.paths[path][method].responses['409'], `${method} ${path}`).toBeDefined();
    }
    expect(doc.paths['/api/v1/auth/login'].post.responses['401']).toBeDefined();
  });
});
