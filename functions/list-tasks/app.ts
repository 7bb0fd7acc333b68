import {
  createFunctionApp,
  type FunctionDeps,
  getTask,
  listTasks,
  notFound,
  routeHandlers,
} from '@todo/core';
import { functionSpec } from '../catalog.ts';

const spec = functionSpec('list-tasks');

/** listTasks + getTask: the read side — search, filters, sort and cursor paging over the caller's tasks. */
export function listTasksApp(deps: FunctionDeps) {
  // The listing is scoped by the caller's memberships: read with its session check, one round trip fewer.
  const app = createFunctionApp(spec, deps, { readMemberships: ['listTasks'] });
  const handle = routeHandlers(app, spec);
  handle('listTasks', async function listTasksRoute(c, { query }) {
    return c.json(await listTasks(deps.db, c.var.user.id, query, c.var.user.memberships));
  });
  handle('getTask', async function getTaskRoute(c, { params }) {
    const task = await getTask(deps.db, c.var.user.id, params.id);
    if (!task) throw notFound('Task');
    return c.json(task);
  });
  return app;
}

export default listTasksApp;
