import {
  createFunctionApp,
  type FunctionDeps,
  IdParam,
  patchTask,
  readBody,
  readParams,
  replaceTask,
  TaskPatch,
  TaskReplace,
} from '@todo/core';

/** updateTask: PUT replaces a task, PATCH changes the fields given. */
export function updateTaskApp(deps: FunctionDeps) {
  const app = createFunctionApp('update-task', deps);
  const ctx = (userId: string) => ({ db: deps.db, userId, source: 'update-task' });
  app.put('/api/v1/tasks/:id', async function replaceTaskRoute(c) {
    const { id } = readParams(c, IdParam);
    return c.json(await replaceTask(ctx(c.var.user.id), id, await readBody(c, TaskReplace)));
  });
  app.patch('/api/v1/tasks/:id', async function patchTaskRoute(c) {
    const { id } = readParams(c, IdParam);
    return c.json(await patchTask(ctx(c.var.user.id), id, await readBody(c, TaskPatch)));
  });
  return app;
}

export default updateTaskApp;
