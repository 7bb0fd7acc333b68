import {
  completeTask,
  createFunctionApp,
  type FunctionDeps,
  IdParam,
  readParams,
  reopenTask,
} from '@todo/core';

/** completeTask: marks a task done (a recurring one then gets its next occurrence) or reopens it. */
export function completeTaskApp(deps: FunctionDeps) {
  const app = createFunctionApp('complete-task', deps);
  const ctx = (userId: string) => ({ db: deps.db, userId, source: 'complete-task' });
  app.post('/api/v1/tasks/:id/complete', async function completeTaskRoute(c) {
    const { id } = readParams(c, IdParam);
    return c.json(await completeTask(ctx(c.var.user.id), id));
  });
  app.post('/api/v1/tasks/:id/reopen', async function reopenTaskRoute(c) {
    const { id } = readParams(c, IdParam);
    return c.json(await reopenTask(ctx(c.var.user.id), id));
  });
  return app;
}

export default completeTaskApp;
