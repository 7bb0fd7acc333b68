import { createFunctionApp, createTask, type FunctionDeps, routeHandlers } from '@todo/core';
import { functionSpec } from '../catalog.ts';

const spec = functionSpec('create-task');

/** createTask: POST /api/v1/tasks — the task, its tags and its TaskCreated event, committed together. */
export function createTaskApp(deps: FunctionDeps) {
  const app = createFunctionApp(spec, deps);
  routeHandlers(app, spec)('createTask', async function createTaskRoute(c, { body }) {
    const task = await createTask({ db: deps.db, userId: c.var.user.id, source: spec.name }, body);
    return c.json(task, 201, { location: `/api/v1/tasks/${task.id}` });
  });
  return app;
}

export default createTaskApp;
