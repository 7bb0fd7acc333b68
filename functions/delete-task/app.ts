import { createFunctionApp, deleteTask, type FunctionDeps, IdParam, readParams } from '@todo/core';

/** deleteTask: removes one of the caller's tasks; its TaskDeleted event cancels its reminders. */
export function deleteTaskApp(deps: FunctionDeps) {
  const app = createFunctionApp('delete-task', deps);
  app.delete('/api/v1/tasks/:id', async function deleteTaskRoute(c) {
    const { id } = readParams(c, IdParam);
    await deleteTask({ db: deps.db, userId: c.var.user.id, source: 'delete-task' }, id);
    return c.body(null, 204);
  });
  return app;
}

export default deleteTaskApp;
