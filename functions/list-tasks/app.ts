import {
  createFunctionApp,
  type FunctionDeps,
  getTask,
  IdParam,
  ListTasksQuery,
  listTasks,
  notFound,
  readParams,
  readQuery,
} from '@todo/core';

/** listTasks + getTask: the read side — search, filters, sort and cursor paging over the caller's tasks. */
export function listTasksApp(deps: FunctionDeps) {
  const app = createFunctionApp('list-tasks', deps);
  app.get('/api/v1/tasks', async function listTasksRoute(c) {
    return c.json(await listTasks(deps.db, c.var.user.id, readQuery(c, ListTasksQuery)));
  });
  app.get('/api/v1/tasks/:id', async function getTaskRoute(c) {
    const { id } = readParams(c, IdParam);
    const task = await getTask(deps.db, c.var.user.id, id);
    if (!task) throw notFound('Task');
    return c.json(task);
  });
  return app;
}

export default listTasksApp;
