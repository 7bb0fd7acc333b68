import { describe, expect, it } from 'vitest';
import { catalog, type HttpRoute } from '../catalog.ts';
import { useTestApi } from '../testing/stack.ts';
import { responseLinks } from './openapi.ts';

const api = useTestApi();

describe('api-docs', () => {
  it('serves an OpenAPI 3.1 document covering every catalog route, without a token', async () => {
    const res = await api.json('GET', '/api/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    for (const fn of catalog) {
      for (const route of fn.routes) {
        const path = route.path.replace(/:(\w+)/g, '{$1}');
        expect(res.body.paths[path]?.[route.method.toLowerCase()], `${route.method} ${path}`).toBeDefined();
      }
    }
  });

  it('documents request bodies and query parameters from the same zod schemas that validate them', async () => {
    const doc = (await api.json('GET', '/api/v1/openapi.json')).body;
    const create = doc.paths['/api/v1/tasks'].post;
    const body = create.requestBody.content['application/json'].schema;
    expect(body.properties.priority.enum).toEqual(['low', 'medium', 'high']);
    expect(body.required).toContain('title');
    const list = doc.paths['/api/v1/tasks'].get;
    const sortBy = list.parameters.find((p: { name: string }) => p.name === 'sort_by');
    expect(sortBy.schema.enum).toEqual(['due_date', 'priority', 'created_at', 'title']);
    expect(create.responses['400'].content['application/problem+json']).toBeDefined();
  });

  it('links the ids a response hands on to the operations that take them (stateful fuzzing), from the catalog', async () => {
    const doc = (await api.json('GET', '/api/v1/openapi.json')).body;
    const byId = new Map<string, string>();
    for (const [path, methods] of Object.entries<Record<string, { operationId: string }>>(doc.paths))
      for (const [method, op] of Object.entries(methods))
        byId.set(op.operationId, `${method.toUpperCase()} ${path}`);
    const linked = (path: string, method: string, status: number) =>
      Object.values<{ operationId: string; parameters: Record<string, string> }>(
        doc.paths[path][method].responses[status].links ?? {},
      ).map(
        (l) => `${byId.get(l.operationId)} ← ${Object.entries(l.parameters).map(([k, v]) => `${k}=${v}`)}`,
      );
    const task = '← id=$response.body#/id';
    expect(linked('/api/v1/tasks', 'post', 201).sort()).toEqual(
      [
        `GET /api/v1/tasks/{id} ${task}`,
        `PUT /api/v1/tasks/{id} ${task}`,
        `PATCH /api/v1/tasks/{id} ${task}`,
        `DELETE /api/v1/tasks/{id} ${task}`,
        `POST /api/v1/tasks/{id}/complete ${task}`,
        `POST /api/v1/tasks/{id}/reopen ${task}`,
        `GET /api/v1/tasks/{id}/reminders ${task}`,
        'GET /api/v1/series/{id} ← id=$response.body#/series_id',
        'POST /api/v1/series/{id}/skip ← id=$response.body#/series_id',
        'POST /api/v1/series/{id}/end ← id=$response.body#/series_id',
      ].sort(),
    );
    expect(linked('/api/v1/tags', 'post', 201).sort()).toEqual(
      ['PUT', 'PATCH', 'DELETE'].map((m) => `${m} /api/v1/tags/{id} ${task}`).sort(),
    );
    expect(linked('/api/v1/notifications', 'get', 200).sort()).toEqual(
      ['done', 'read', 'snooze'].map(
        (a) => `POST /api/v1/notifications/{id}/${a} ← id=$response.body#/items/0/id`,
      ),
    );
    // A link to a path no route has, or from a field the response lacks, stops the build.
    const route = catalog.flatMap((f) => f.routes).find((r) => r.links)!;
    const broken = (links: HttpRoute['links']) => () => responseLinks({ ...route, links });
    expect(broken([{ from: '/id', to: '/api/v1/nothing/:id' }])).toThrow(/no route has that path/);
    expect(broken([{ from: '/no_such_field', to: '/api/v1/tasks/:id' }])).toThrow(/has no \/no_such_field/);
  });
});
