import { createFunctionApp, createTask, type FunctionDeps, readBody, TaskCreate } from '@todo/core';

/** createTask: POST /api/v1/tasks — the task, its tags and its TaskCreated event in one transaction. */
export function createTaskApp(deps: FunctionDeps) {
  const app = createFunctionApp('create-task', deps);
  app.post('/api/v1/tasks', async function createTaskRoute(c) {
    const input = await readBody(c, TaskCreate);
    const task = await createTask({ db: deps.db, userId: c.var.user.id, source: 'create-task' }, input);
    return c.json(task, 201, { location: `/api/v1/tasks/${task.id}` });
  });
  return app;
}

export default createTaskApp;
