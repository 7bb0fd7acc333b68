import { describe, expect, it } from 'vitest';
import { catalog } from '../catalog.ts';
import { useTestApi } from '../testing/stack.ts';

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
});
