import {
  connectDatabase,
  createFunctionApp,
  createLogger,
  type FunctionDeps,
  loadConfig,
  routeHandlers,
} from '@todo/core';
import { afterAll, describe, expect, it } from 'vitest';
import { catalog, functionSpec, httpFunctions } from './catalog.ts';
import { httpApps } from './registry.ts';

// Building an app runs no query (the pool is lazy), so no database is needed here.
const database = connectDatabase('postgres://nobody@127.0.0.1:1/none', 1);
afterAll(() => database.close());
const deps: FunctionDeps = {
  db: database.db,
  config: loadConfig({}),
  jwtSecret: 'x'.repeat(32),
  log: createLogger('error'),
};

/** `METHOD path` of every API route an app registered (Hono's app.routes, middleware left out). */
function registeredRoutes(app: { routes: { method: string; path: string }[] }): string[] {
  const api = app.routes.filter((r) => r.path.startsWith('/api/') && r.method !== 'ALL');
  return [...new Set(api.map((r) => `${r.method} ${r.path}`))].sort();
}

describe('each HTTP app serves exactly its catalog routes', () => {
  it.each(httpFunctions().map((fn) => [fn.name, fn] as const))('%s', (name, fn) => {
    const create = httpApps[name];
    expect(create, `functions/registry.ts has no app for ${name}`).toBeDefined();
    const declared = fn.routes.map((r) => `${r.method} ${r.path}`).sort();
    // Both ways: a catalog route without a handler, and a route the app added past its catalog entry.
    expect(registeredRoutes(create!(deps))).toEqual(declared);
  });

  it('and the registry has no app the catalog lacks', () => {
    expect(Object.keys(httpApps).sort()).toEqual(
      httpFunctions()
        .map((f) => f.name)
        .sort(),
    );
  });
});

describe('operationIds', () => {
  const ids = catalog.flatMap((fn) => fn.routes.map((r) => r.operationId));

  it('are unique across the catalog (they are the OpenAPI operationIds)', () => {
    expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
  });

  it('are identifiers (OpenAPI link names allow [A-Za-z0-9._-] only)', () => {
    expect(ids.filter((id) => !/^[a-z][A-Za-z0-9]*$/.test(id))).toEqual([]);
  });
});

describe('routeHandlers', () => {
  const spec = functionSpec('list-tasks');

  it('refuses, at compile time and at run time, a handler for an operation the entry lacks', () => {
    const handle = routeHandlers(createFunctionApp(spec, deps), spec);
    // @ts-expect-error createTask belongs to create-task's entry, not list-tasks'
    expect(() => handle('createTask', (c) => c.body(null))).toThrow(/no route createTask/);
  });

  it('refuses a second handler for the same operation', () => {
    const handle = routeHandlers(createFunctionApp(spec, deps), spec);
    handle('getTask', (c) => c.body(null));
    expect(() => handle('getTask', (c) => c.body(null))).toThrow(/has a handler already/);
  });

  it("types a handler's inputs by its route's schemas and answers 400 naming the field", async () => {
    const entry = { name: 'probe', routes: [{ ...spec.routes[1], public: true }] } as const;
    const app = createFunctionApp(entry, deps);
    routeHandlers(app, entry)('getTask', (c, { params, query, body }) => {
      const id: string = params.id;
      const none: undefined = query ?? body;
      return c.json({ id, none: none ?? null });
    });
    const ok = await app.request('/api/v1/tasks/00000000-0000-4000-8000-000000000001');
    expect(await ok.json()).toEqual({ id: '00000000-0000-4000-8000-000000000001', none: null });
    const bad = await app.request('/api/v1/tasks/nope');
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors).toEqual([{ field: 'path.id', message: 'must be a UUID' }]);
  });
});
